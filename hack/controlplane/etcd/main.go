// Command etcd is built from this tools module so tests and the playground
// run against a real etcd (see hack/controlplane/build.sh).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
