package dynamodb_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

const killDirEnv = "LOCALCLOUD_DYNAMODB_KILL9_DIR"

// TestKill9Child is the server process TestKill9 starts and kills; run on
// its own (without the environment variable) it does nothing.
func TestKill9Child(t *testing.T) {
	dir := os.Getenv(killDirEnv)
	if dir == "" {
		return
	}
	e := start(t, envOptions{dataDir: dir})
	fmt.Printf("URL %s\n", e.URL)
	select {}
}

// TestKill9 kills the server with SIGKILL in the middle of a burst of
// conditional creates and counter updates, reopens its data directory and
// checks that every acknowledged write survived and that items and stream
// records agree: each item's records replay, version by version, to the
// item the table holds.
func TestKill9(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$")
	cmd.Env = append(os.Environ(), killDirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
	})
	url := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatalf("child did not report its URL: %v", sc.Err())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	db, _ := clientsFor(url, false)
	ctx := context.Background()
	in := ordersTable("orders")
	in.StreamSpecification.StreamViewType = types.StreamViewTypeNewAndOldImages
	if _, err := db.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}

	const workers, counters, killAfter = 8, 4, 300
	var (
		acks     atomic.Int64
		mu       sync.Mutex
		created  []string
		counted  = map[string]int{}
		reached  = make(chan struct{})
		reachOne sync.Once
		wg       sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if i%2 == 0 {
					id := fmt.Sprintf("c-%d-%d", w, i)
					_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
						Item: map[string]types.AttributeValue{"orderID": str(id)}, ConditionExpression: aws.String("attribute_not_exists(orderID)")})
					if err != nil {
						return
					}
					mu.Lock()
					created = append(created, id)
					mu.Unlock()
				} else {
					id := fmt.Sprintf("n-%d", (w+i)%counters)
					out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"),
						Key: map[string]types.AttributeValue{"orderID": str(id)}, UpdateExpression: aws.String("SET v = if_not_exists(v, :z) + :one"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":z": num("0"), ":one": num("1")}, ReturnValues: types.ReturnValueUpdatedNew})
					if err != nil {
						return
					}
					v, _ := strconv.Atoi(sval(t, out.Attributes, "v"))
					mu.Lock()
					counted[id] = max(counted[id], v)
					mu.Unlock()
				}
				if acks.Add(1) == killAfter {
					reachOne.Do(func() { close(reached) })
				}
			}
		}()
	}
	<-reached
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed = true
	_ = cmd.Wait()
	wg.Wait()

	e := start(t, envOptions{dataDir: dir})
	for _, id := range created {
		got, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str(id)}})
		if err != nil || got.Item == nil {
			t.Fatalf("acknowledged create %s lost: %v", id, err)
		}
	}
	table := map[string]string{}
	for id, acked := range counted {
		got, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str(id)}})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.Atoi(sval(t, got.Item, "v"))
		if v < acked {
			t.Fatalf("%s holds v=%d, but v=%d was acknowledged", id, v, acked)
		}
		table[id] = strconv.Itoa(v)
	}
	streams, err := e.Service.Streams()
	if err != nil || len(streams) != 1 {
		t.Fatalf("streams = %v, %v", streams, err)
	}
	recs, err := e.Service.ReadStream(streams[0].Arn, 0, 1<<20, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	replayed := map[string]ddb.StreamRecord{}
	for i, r := range recs {
		id := r.Dynamodb.Keys["orderID"].Str()
		prev, seen := replayed[id]
		switch {
		case !seen && r.EventName != "INSERT":
			t.Fatalf("record %d: first record of %s is %s", i, id, r.EventName)
		case seen && !attr.EqualItems(prev.Dynamodb.NewImage, r.Dynamodb.OldImage):
			t.Fatalf("record %d: %s old image does not follow the previous record", i, id)
		}
		replayed[id] = r
	}
	if len(recs) < killAfter {
		t.Fatalf("%d records for at least %d acknowledged writes", len(recs), killAfter)
	}
	for _, id := range created {
		if _, ok := replayed[id]; !ok {
			t.Fatalf("acknowledged create %s has no record", id)
		}
	}
	for id, v := range table {
		r := replayed[id]
		if got := r.Dynamodb.NewImage["v"]; got.Num().String() != v {
			t.Fatalf("%s: table v=%s, last record v=%s", id, v, got.Num())
		}
	}
	// Every item the table holds has records; every record's item exists.
	scan, err := e.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("orders"), Select: types.SelectCount})
	if err != nil || int(scan.Count) != len(replayed) {
		t.Fatalf("table has %d items, stream describes %d: %v", scan.Count, len(replayed), err)
	}
}
