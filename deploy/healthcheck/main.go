// Command healthcheck exits 0 when a URL answers HTTP 200 and 1 otherwise. The
// Guildmart image has no shell, curl or wget, so container health checks (compose)
// run this: healthcheck http://127.0.0.1:8080/readyz.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	url := "http://127.0.0.1:8080/readyz"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck:", url, "answered", resp.Status)
		os.Exit(1)
	}
}
