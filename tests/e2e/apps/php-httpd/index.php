<?php
header('Content-Type: text/plain');
echo "Hello from PHP ", PHP_VERSION, " via ", php_sapi_name(), " behind ", $_SERVER['SERVER_SOFTWARE'] ?? '?', "\n";
echo "path ", $_SERVER['REQUEST_URI'], " MEMORY_LIMIT=", getenv('MEMORY_LIMIT'), " HTTPS=", $_SERVER['HTTPS'] ?? '', "\n";
