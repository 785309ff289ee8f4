// A small web app for the devflow/go buildpack: standard library only.
package main

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello from go-hello, built with %s\n", runtime.Version())
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "5000"
	}
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
