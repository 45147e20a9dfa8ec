<?php
/*
 * Prints a one-time login link for the first administrator of a WordPress
 * site (a password-reset link: it sets a new password, and expires after use
 * or after a day):
 *   AEGIR_SITE=<domain> php wp-login-reset.php <platform path>
 * Prints JSON: {"login": ..., "url": ...}. The link is a secret: the role that
 * runs this is no_log.
 */
if (PHP_SAPI !== 'cli' || $argc !== 2) {
    fwrite(STDERR, "usage: AEGIR_SITE=<domain> php wp-login-reset.php <platform>\n");
    exit(2);
}
require $argv[1] . '/wp-load.php';

$admins = get_users(['role' => 'administrator', 'orderby' => 'ID', 'order' => 'ASC', 'number' => 1]);
if (!$admins) {
    fwrite(STDERR, "The site has no administrator.\n");
    exit(3);
}
$user = $admins[0];
$key = get_password_reset_key($user);
if (is_wp_error($key)) {
    fwrite(STDERR, 'No reset key: ' . $key->get_error_message() . "\n");
    exit(4);
}
$url = network_site_url('wp-login.php?action=rp&key=' . $key . '&login=' . rawurlencode($user->user_login), 'login');
echo json_encode(['login' => $user->user_login, 'url' => $url]), "\n";
