package mail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDeliverListGet(t *testing.T) {
	mb, err := Open(filepath.Join(t.TempDir(), "mail"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	msgs := []Message{
		{ID: "aaa111", From: "no-reply@sns.amazonaws.com", To: "a@example.com", Subject: "first", Date: t0,
			Headers: map[string]string{"X-Localcloud-Topic-Arn": "arn:aws:sns:us-east-1:000000000000:t"}, Body: "line1\nline2\n"},
		{ID: "bbb222", From: "no-reply@sns.amazonaws.com", To: "b@example.com", Subject: "second\r\nBcc: x", Date: t0.Add(time.Second), Body: "hi"},
	}
	for _, m := range msgs {
		if err := mb.Deliver(m); err != nil {
			t.Fatal(err)
		}
	}
	got, err := mb.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "aaa111" || got[1].ID != "bbb222" {
		t.Fatalf("list = %+v", got)
	}
	if got[0].Body != "line1\nline2\n" || got[0].Headers["X-Localcloud-Topic-Arn"] == "" || !got[0].Date.Equal(t0) {
		t.Fatalf("first message = %+v", got[0])
	}
	if strings.Contains(got[1].Subject, "\n") || got[1].Subject != "second  Bcc: x" {
		t.Fatalf("header injection not neutralised: %q", got[1].Subject)
	}
	m, err := mb.Get("bbb")
	if err != nil || m.To != "b@example.com" {
		t.Fatalf("get by prefix: %+v %v", m, err)
	}
	if _, err := mb.Get("zzz"); !os.IsNotExist(err) && !strings.Contains(err.Error(), "no message") {
		t.Fatalf("get missing: %v", err)
	}
	if err := mb.Deliver(Message{ID: "../evil"}); err == nil {
		t.Fatal("path-like id accepted")
	}
}

func TestSameInstantKeepsDeliveryOrder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	mb, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"zzz", "aaa", "mmm"} {
		if err := mb.Deliver(Message{ID: id, Date: at, Body: id}); err != nil {
			t.Fatal(err)
		}
	}
	// A reopened mailbox continues the sequence.
	mb, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := mb.Deliver(Message{ID: "bbb", Date: at}); err != nil {
		t.Fatal(err)
	}
	got, err := mb.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "zzz,aaa,mmm,bbb" {
		t.Fatalf("order = %v", ids)
	}
}

func TestRecoverRewritesJournaledMailLostInACrash(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	mb, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if err := mb.Deliver(Message{ID: fmt.Sprintf("m%02d", i), Date: at, Body: strings.Repeat("x", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A crash (power loss) before the kernel wrote the files: copy the directory as the
	// disk might hold it, with some mails missing and one cut short.
	crashed := filepath.Join(t.TempDir(), "mail")
	if err := os.MkdirAll(crashed, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	emls := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".eml") {
			emls++
			switch emls % 4 {
			case 0:
				continue // lost
			case 1:
				data = data[:len(data)/2] // torn
			}
		}
		if strings.HasPrefix(e.Name(), ".journal-") {
			data = append(data, 0, 0, 0, 9, 0, 0) // a record whose write never finished
		}
		if err := os.WriteFile(filepath.Join(crashed, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if emls != 40 {
		t.Fatalf("%d mail files before the crash, want 40", emls)
	}
	r, err := Open(crashed)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Recover(); err != nil {
		t.Fatal(err)
	}
	got, err := r.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 {
		t.Fatalf("%d mails after recovery, want 40", len(got))
	}
	for _, m := range got {
		var i int
		if _, err := fmt.Sscanf(m.ID, "m%02d", &i); err != nil {
			t.Fatalf("unexpected message %s", m.ID)
		}
		if m.Body != strings.Repeat("x", i) {
			t.Errorf("%s: body %q after recovery", m.ID, m.Body)
		}
	}
	if js, _ := r.journals(); len(js) != 0 {
		t.Errorf("%d journals left after recovery", len(js))
	}
	// Deliveries go on after recovery, and Close leaves no journal behind.
	if err := r.Deliver(Message{ID: "after", Date: at}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if js, _ := r.journals(); len(js) != 0 {
		t.Errorf("%d journals left after Close", len(js))
	}
	if err := r.Deliver(Message{ID: "late", Date: at}); err == nil {
		t.Error("delivery after Close accepted")
	}
	if err := mb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestJournalRotatesAndCompacts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	mb, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mb.journalLimit = 2 << 10
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		if err := mb.Deliver(Message{ID: fmt.Sprintf("r%02d", i), Date: at, Body: strings.Repeat("y", 500)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := mb.Close(); err != nil {
		t.Fatal(err)
	}
	if mb.journalNum < 5 {
		t.Errorf("journal number %d after 15 KB through 2 KB journals: no rotation", mb.journalNum)
	}
	if js, _ := mb.journals(); len(js) != 0 {
		t.Errorf("%d journals after Close", len(js))
	}
	got, _ := mb.List()
	if len(got) != 30 {
		t.Fatalf("%d mails, want 30", len(got))
	}
}
