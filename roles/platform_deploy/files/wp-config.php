<?php
/*
 * Aegir's wp-config.php for a WordPress platform: one codebase, many sites.
 *
 * The site is named by AEGIR_SITE: a server variable set by the site's vhost
 * (nginx: fastcgi_param AEGIR_SITE <domain>; Apache: SetEnv AEGIR_SITE
 * <domain>) or an environment variable of Aegir's command-line scripts. Its
 * settings (database, salts, URL, content directory) are in
 * sites/<domain>/wp-config.php next to this file, written by Aegir.
 * Aegir writes this file when it deploys the platform: do not edit it.
 */
$aegir_site = $_SERVER['AEGIR_SITE'] ?? getenv('AEGIR_SITE');
if (!is_string($aegir_site) || !preg_match('/^[a-z0-9.-]+$/', $aegir_site)
        || strpos($aegir_site, '..') !== false || $aegir_site[0] === '.') {
    if (PHP_SAPI !== 'cli') {
        http_response_code(500);
        header('Content-Type: text/plain; charset=utf-8');
    }
    echo "This WordPress platform is managed by Aegir: no valid AEGIR_SITE names the site.\n";
    exit(1);
}
$aegir_site_settings = __DIR__ . '/sites/' . $aegir_site . '/wp-config.php';
if (!is_file($aegir_site_settings)) {
    if (PHP_SAPI !== 'cli') {
        http_response_code(404);
        header('Content-Type: text/plain; charset=utf-8');
    }
    echo "No site $aegir_site on this platform.\n";
    exit(1);
}
if (PHP_SAPI === 'cli') {
    // Command-line scripts (install, cron, login links) run as this site.
    $_SERVER['HTTP_HOST'] = $_SERVER['HTTP_HOST'] ?? $aegir_site;
    $_SERVER['SERVER_NAME'] = $_SERVER['SERVER_NAME'] ?? $aegir_site;
    $_SERVER['REQUEST_URI'] = $_SERVER['REQUEST_URI'] ?? '/';
    $_SERVER['REQUEST_METHOD'] = $_SERVER['REQUEST_METHOD'] ?? 'GET';
}
require $aegir_site_settings;
unset($aegir_site, $aegir_site_settings);

if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
