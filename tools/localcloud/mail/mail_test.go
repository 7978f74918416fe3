package mail

import (
	"os"
	"path/filepath"
	"strings"
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
