// Command hangfn is the SQS-triggered function of the localrun fault tests: the first
// delivery of each message hangs past any timeout, a later one succeeds. It remembers
// the messages it saw as files in STATE_DIR (it runs on the test's machine).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(handle)
}

func handle(ctx context.Context, ev events.SQSEvent) error {
	dir := os.Getenv("STATE_DIR")
	if dir == "" {
		return errors.New("STATE_DIR is not set")
	}
	for _, rec := range ev.Records {
		seen := filepath.Join(dir, rec.MessageId+".seen")
		if _, err := os.Stat(seen); errors.Is(err, os.ErrNotExist) {
			if err := os.WriteFile(seen, nil, 0o644); err != nil {
				return err
			}
			fmt.Printf("hanging on message %s (receive %s)\n", rec.MessageId, rec.Attributes["ApproximateReceiveCount"])
			<-ctx.Done() // the deadline passes; Lambda kills this process first
			select {}
		}
		if err := os.WriteFile(filepath.Join(dir, rec.MessageId+".done"), []byte(rec.Body), 0o644); err != nil {
			return err
		}
		fmt.Printf("processed message %s (receive %s)\n", rec.MessageId, rec.Attributes["ApproximateReceiveCount"])
	}
	return nil
}
