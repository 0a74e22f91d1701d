<?php
// Served by PHP's built-in server from public/; Wharf gives the port in $PORT.
require __DIR__ . '/../vendor/autoload.php';

use Hello\Greeting;

header('Content-Type: text/plain; charset=utf-8');
echo Greeting::hello('PHP ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION), "\n";
