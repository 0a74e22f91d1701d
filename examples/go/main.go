// A tiny web server on the standard library plus one vendored module; Wharf
// gives the port in $PORT.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"

	"example.com/greeting"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, greeting.Hello("Go "+runtime.Version()))
	})
	log.Printf("listening on %s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
