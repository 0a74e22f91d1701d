package greet

func Hello(who string) string { return "Hello from Go in " + who + " layout" }
