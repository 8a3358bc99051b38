package main

import "github.com/guildmart/guildmart/web"

// The web pages (storefront at /s/{handle}, console at /console, shared /assets) are
// served by the gateway's process next to /graphql, so they need no CORS.
func init() {
	routeHooks = append(routeHooks, func(a *app) {
		h := web.Handler()
		for _, p := range []string{"GET /s/", "GET /console", "GET /console/", "GET /assets/"} {
			a.server.Handle(p, h)
		}
		a.server.SetHome("/console") // people land on the console; GraphiQL stays at /graphql
	})
}

// The demo listings republish the demo catalog, so their seed hook must come after the
// catalog's (wire_catalog.go); init functions run in file-name order.
func init() { seedHooks = append(seedHooks, seedListings) }
