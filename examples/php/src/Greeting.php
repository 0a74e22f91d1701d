<?php

namespace Hello;

/** Loaded through composer's autoloader, which staging writes offline. */
final class Greeting
{
    public static function hello(string $who): string
    {
        return "Hello from {$who} on Wharf";
    }
}
