// Package deploy holds what runs Guildmart outside `guildmart dev`: the container image
// (Dockerfile), the single-host compose file, the Kubernetes base and the Citus
// distribution script. Its tests validate them against the binary and the schema.
package deploy
