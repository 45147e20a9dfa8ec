<?php
/*
 * Installs WordPress for one site of an Aegir platform:
 *   AEGIR_SITE=<domain> php wp-install.php <platform path> <title> <admin user> <admin e-mail>
 * The platform's wp-config.php loads the site's own sites/<domain>/wp-config.php
 * (database, salts, URL). The administrator's password is random and never
 * shown: the login-reset operation gives a one-time login link. When the
 * default theme is not in the platform, the newest theme there is used.
 * Prints JSON: {"user_id": ..., "theme": ..., "url": ...}.
 */
if (PHP_SAPI !== 'cli' || $argc !== 5) {
    fwrite(STDERR, "usage: AEGIR_SITE=<domain> php wp-install.php <platform> <title> <admin user> <admin e-mail>\n");
    exit(2);
}
[, $platform, $title, $admin_user, $admin_email] = $argv;

define('WP_INSTALLING', true);

// No "new site" e-mail: the address may not be real, and there may be no MTA.
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password)
{
}

require $platform . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (is_blog_installed()) {
    fwrite(STDERR, 'WordPress is already installed in database ' . DB_NAME . "\n");
    exit(3);
}
if (!is_email($admin_email)) {
    fwrite(STDERR, "The administrator's e-mail address is not valid: $admin_email\n");
    exit(2);
}
if (sanitize_user($admin_user, true) !== $admin_user) {
    fwrite(STDERR, "The administrator's user name is not valid: $admin_user\n");
    exit(2);
}

$result = wp_install($title, $admin_user, $admin_email, true, '', wp_generate_password(32, true, true));

if (!wp_get_theme()->exists()) {
    $themes = array_keys(wp_get_themes());
    if ($themes) {
        rsort($themes);
        switch_theme($themes[0]);
    }
}

echo json_encode(['user_id' => $result['user_id'], 'theme' => get_stylesheet(), 'url' => home_url('/')]), "\n";
