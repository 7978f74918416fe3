// Command hello is a minimal program the artifact tests build as a stand-in bootstrap.
package main

import "fmt"

func main() { fmt.Println("hello") }
