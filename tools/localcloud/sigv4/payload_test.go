package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func bodyFor(t testing.TB, payloadHash, raw string, header map[string]string) *Body {
	t.Helper()
	r, err := http.NewRequest("PUT", "http://127.0.0.1/b/k", strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return newBody(r, streamSeed{payloadHash: payloadHash, key: []byte("k"), signature: "seed"})
}

func encodeChunks(data []byte, size int, trailer string) string {
	var b strings.Builder
	for len(data) > 0 {
		n := min(size, len(data))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, data[:n])
		data = data[n:]
	}
	b.WriteString("0\r\n" + trailer + "\r\n")
	return b.String()
}

func TestBody(t *testing.T) {
	cases := []struct {
		name, hash, raw, want string
		kind                  Kind
		trailer               string
	}{
		{name: "sha256 ok", hash: sha256Hex([]byte("abc")), raw: "abc", want: "abc"},
		{name: "sha256 mismatch", hash: sha256Hex([]byte("abc")), raw: "abd", kind: PayloadMismatch},
		{name: "unsigned", hash: UnsignedPayload, raw: "anything", want: "anything"},
		{name: "chunks with trailer", hash: StreamingUnsignedTrailer, raw: encodeChunks([]byte("hello world"), 4, "x-amz-checksum-crc32:AAAA\r\n"),
			want: "hello world", trailer: "AAAA"},
		{name: "chunks without final CRLF", hash: StreamingUnsignedTrailer, raw: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:BBBB", want: "abc", trailer: "BBBB"},
		{name: "bad size", hash: StreamingUnsignedTrailer, raw: "zz\r\nabc\r\n0\r\n\r\n", kind: BadPayload},
		{name: "short chunk", hash: StreamingUnsignedTrailer, raw: "10\r\nabc", kind: BadPayload},
		{name: "missing CRLF after data", hash: StreamingUnsignedTrailer, raw: "3\r\nabcX\r\n0\r\n\r\n", kind: BadPayload},
		{name: "huge chunk", hash: StreamingUnsignedTrailer, raw: "ffffffffff\r\n", kind: BadPayload},
		{name: "unsigned chunk signature", hash: StreamingSigned, raw: "3\r\nabc\r\n0\r\n\r\n", kind: Incomplete},
		{name: "wrong chunk signature", hash: StreamingSigned, raw: "3;chunk-signature=00\r\nabc\r\n0;chunk-signature=00\r\n\r\n", kind: Mismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := bodyFor(t, tc.hash, tc.raw, nil)
			got, err := io.ReadAll(b)
			if tc.kind != 0 {
				var e *Error
				if !errors.As(err, &e) || e.Kind != tc.kind {
					t.Fatalf("err = %v, want kind %d", err, tc.kind)
				}
				// The error sticks.
				if _, again := b.Read(make([]byte, 1)); !errors.Is(again, err) {
					t.Fatalf("second read: %v", again)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("%q %v", got, err)
			}
			if tc.trailer != "" && b.Trailer().Get("X-Amz-Checksum-Crc32") != tc.trailer {
				t.Fatalf("trailer %v", b.Trailer())
			}
		})
	}
}

// FuzzChunkedBody: any aws-chunked input decodes or fails with *Error,
// never panics; a valid encoding decodes to its data.
func FuzzChunkedBody(f *testing.F) {
	f.Add([]byte("hello"), 2, "3\r\nabc\r\n0\r\n\r\n")
	f.Add([]byte(""), 1, "0;chunk-signature=1\r\n")
	f.Add([]byte("x"), 7, "1\r\n")
	f.Fuzz(func(t *testing.T, data []byte, size int, raw string) {
		got, err := io.ReadAll(bodyFor(t, StreamingUnsignedTrailer, raw, nil))
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("raw %q: untyped error %v", raw, err)
		}
		_ = got
		if size < 1 || size > 1<<16 {
			return
		}
		got, err = io.ReadAll(bodyFor(t, StreamingUnsignedTrailer, encodeChunks(data, size, ""), nil))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("valid encoding of %q (chunks of %d): %q %v", data, size, got, err)
		}
	})
}
