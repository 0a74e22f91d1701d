// Package greeting is a tiny vendored module: the build needs no module proxy.
package greeting

// Hello greets `who`.
func Hello(who string) string { return "Hello from " + who + " on Wharf" }
