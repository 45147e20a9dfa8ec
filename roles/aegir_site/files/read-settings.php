<?php
/*
 * Prints, as JSON, what Aegir keeps when it rewrites a site's settings file:
 * the database password, the salts and (WordPress) the table prefix.
 *   php read-settings.php <installer> <settings file> <platform path> <domain>
 * Run by aegir_site/tasks/settings_read.yml (no_log); never by the web server.
 */
if (PHP_SAPI !== 'cli' || $argc !== 5) {
    fwrite(STDERR, "usage: php read-settings.php <installer> <settings file> <platform path> <domain>\n");
    exit(2);
}
[, $installer, $file, $platform, $domain] = $argv;
if (!is_file($file)) {
    fwrite(STDERR, "$file does not exist\n");
    exit(3);
}
$out = ['db_password' => '', 'table_prefix' => '', 'salts' => new stdClass()];
switch ($installer) {
    case 'wordpress':
        // The site's wp-config.php only defines constants and $table_prefix.
        require $file;
        $salts = [];
        foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY',
                  'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as $name) {
            if (defined($name)) {
                $salts[strtolower($name)] = constant($name);
            }
        }
        $out['db_password'] = defined('DB_PASSWORD') ? DB_PASSWORD : '';
        $out['table_prefix'] = isset($table_prefix) ? $table_prefix : 'wp_';
        $out['salts'] = $salts ?: new stdClass();
        break;
    case 'php':
        $settings = require $file;
        $out['db_password'] = is_array($settings) ? (string)($settings['db_password'] ?? '') : '';
        break;
    case 'drupal':
        // Untested: Drupal cannot be installed where these roles were written.
        $app_root = $platform;
        $site_path = 'sites/' . $domain;
        $databases = [];
        $settings = [];
        $config = [];
        require $file;
        $out['db_password'] = (string)($databases['default']['default']['password'] ?? '');
        $salt = $settings['hash_salt'] ?? ($drupal_hash_salt ?? '');
        $out['salts'] = $salt === '' ? new stdClass() : ['hash_salt' => $salt];
        break;
    default:
        fwrite(STDERR, "unknown installer $installer\n");
        exit(2);
}
echo json_encode($out), "\n";
