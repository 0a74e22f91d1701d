package main

import (
	"fmt"
	"net/http"
	"os"

	"example.org/shout"
	"github.com/wharf/gopathapp/greet"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, shout.Loud(greet.Hello("GOPATH")))
	})
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
