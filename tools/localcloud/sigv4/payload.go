package sigv4

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
)

// Payload hashes S3 clients declare in x-amz-content-sha256 instead of the
// body's SHA-256.
const (
	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// Payload failure kinds, found while a streamed body is read.
const (
	// PayloadMismatch: the body's SHA-256 is not the declared one.
	PayloadMismatch Kind = iota + 100
	// BadPayload: the declared hash or the aws-chunked framing is malformed.
	BadPayload
	// MissingPayloadHash: header auth without x-amz-content-sha256.
	MissingPayloadHash
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// maxChunk bounds one aws-chunked chunk (the SDKs send 64 KiB to 1 MiB).
const maxChunk = 64 << 20

// streamSeed is what chunk signatures chain from.
type streamSeed struct {
	key                       []byte
	amzDate, scope, signature string
	payloadHash               string
}

// payloadHashes are the payload hashes to try in the canonical request.
// With a deferred body the declared hash is trusted here; Body checks it.
func payloadHashes(r *http.Request, p *parsed, body []byte, deferred bool) ([]string, *Error) {
	h := r.Header.Get("X-Amz-Content-Sha256")
	if deferred {
		switch {
		case h == "" && p.presigned:
			return []string{UnsignedPayload}, nil
		case h == "":
			return nil, fail(MissingPayloadHash, "Missing required header for this request: x-amz-content-sha256")
		case h == UnsignedPayload, h == StreamingSigned, h == StreamingSignedTrailer, h == StreamingUnsignedTrailer, isSHA256Hex(h):
			return []string{h}, nil
		}
		return nil, fail(BadPayload, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	actualHash := sha256Hex(body)
	hashes := []string{actualHash}
	if h != "" {
		if h != UnsignedPayload && h != actualHash {
			return nil, fail(Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		hashes = []string{h}
	} else if p.presigned {
		hashes = append(hashes, UnsignedPayload)
	}
	return hashes, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// VerifyStream checks a request's signature before its body is read, as S3
// needs for bodies of any size. The returned Body reads r.Body and checks
// it against what the request declared in x-amz-content-sha256: the
// body's SHA-256 (checked at EOF), UNSIGNED-PAYLOAD, or aws-chunked framing
// (decoded, each chunk's signature checked for STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// trailers collected). A mismatch surfaces as a Read error of type *Error
// before io.EOF, so a consumer that stores only on a clean EOF never keeps
// a tampered body.
func (v *Verifier) VerifyStream(ctx context.Context, r *http.Request) (iam.Credential, Scope, *Body, *Error) {
	var seed streamSeed
	cred, scope, err := v.verify(ctx, r, nil, &seed)
	if err != nil {
		return cred, scope, nil, err
	}
	return cred, scope, newBody(r, seed), nil
}

// Body is a request body checked against its declared payload hash.
type Body struct {
	src      io.Reader
	closer   io.Closer
	seed     streamSeed
	hash     hash.Hash
	want     string
	chunked  bool
	signed   bool
	br       *bufio.Reader
	left     int64 // bytes left in the current chunk
	chunkSig string
	prevSig  string
	done     bool
	err      error
	trailer  http.Header
	decoded  int64
}

func newBody(r *http.Request, seed streamSeed) *Body {
	b := &Body{src: r.Body, closer: r.Body, seed: seed, prevSig: seed.signature, trailer: http.Header{}, decoded: -1}
	if r.Body == nil {
		b.src, b.closer = http.NoBody, http.NoBody
	}
	switch seed.payloadHash {
	case StreamingSigned, StreamingSignedTrailer, StreamingUnsignedTrailer:
		b.chunked = true
		b.signed = seed.payloadHash != StreamingUnsignedTrailer
		b.br = bufio.NewReaderSize(b.src, 64<<10)
		if n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64); err == nil && n >= 0 {
			b.decoded = n
		}
	case UnsignedPayload:
		b.decoded = r.ContentLength
	default:
		b.hash, b.want = sha256.New(), seed.payloadHash
		b.decoded = r.ContentLength
	}
	return b
}

// Length is the decoded body length when the request declared it, else -1.
func (b *Body) Length() int64 { return b.decoded }

// Trailer holds the aws-chunked trailers (x-amz-checksum-*) once Read has
// returned io.EOF.
func (b *Body) Trailer() http.Header { return b.trailer }

// Close closes the underlying body.
func (b *Body) Close() error { return b.closer.Close() }

// Read implements io.Reader.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if !b.chunked {
		n, err := b.src.Read(p)
		if b.hash != nil {
			b.hash.Write(p[:n])
		}
		if errors.Is(err, io.EOF) && b.hash != nil && hex.EncodeToString(b.hash.Sum(nil)) != b.want {
			b.err = fail(PayloadMismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
			return n, b.err
		}
		if err != nil && !errors.Is(err, io.EOF) {
			b.err = err
		}
		return n, err
	}
	n, err := b.readChunked(p)
	if err != nil {
		b.err = err
	}
	return n, err
}

func (b *Body) readChunked(p []byte) (int, error) {
	for b.left == 0 {
		if b.done {
			return 0, io.EOF
		}
		if err := b.nextChunk(); err != nil {
			return 0, err
		}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.br.Read(p)
	b.left -= int64(n)
	if b.hash != nil {
		b.hash.Write(p[:n])
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return n, fail(BadPayload, "The request body terminated unexpectedly")
		}
		return n, err
	}
	if b.left == 0 {
		if err := b.endChunk(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (b *Body) line() (string, *Error) {
	s, err := b.br.ReadString('\n')
	if err != nil || !strings.HasSuffix(s, "\r\n") || len(s) > 4096 {
		return "", fail(BadPayload, "The request body terminated unexpectedly")
	}
	return strings.TrimSuffix(s, "\r\n"), nil
}

// nextChunk reads a chunk header "hex-size[;chunk-signature=sig]".
func (b *Body) nextChunk() error {
	head, err := b.line()
	if err != nil {
		return err
	}
	sizeHex, ext, _ := strings.Cut(head, ";")
	size, perr := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
	if perr != nil || size < 0 || size > maxChunk {
		return fail(BadPayload, "Invalid chunk size %q", sizeHex)
	}
	b.chunkSig = ""
	if b.signed {
		sig, ok := strings.CutPrefix(ext, "chunk-signature=")
		if !ok {
			return fail(Incomplete, "Chunk is missing its chunk-signature")
		}
		b.chunkSig = sig
	}
	b.hash = sha256.New()
	b.left = size
	if size == 0 {
		if err := b.verifyChunk(); err != nil {
			return err
		}
		b.done = true
		return b.readTrailers()
	}
	return nil
}

func (b *Body) endChunk() error {
	crlf, err := b.line()
	if err != nil || crlf != "" {
		return fail(BadPayload, "Chunk data is not followed by CRLF")
	}
	return b.verifyChunk()
}

func (b *Body) verifyChunk() error {
	if !b.signed {
		return nil
	}
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + b.seed.amzDate + "\n" + b.seed.scope + "\n" + b.prevSig + "\n" +
		emptySHA256 + "\n" + hex.EncodeToString(b.hash.Sum(nil))
	want := hex.EncodeToString(hmacSHA256(b.seed.key, []byte(sts)))
	if !hmac.Equal([]byte(want), []byte(b.chunkSig)) {
		return fail(Mismatch, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	b.prevSig = b.chunkSig
	return nil
}

// readTrailers reads "name:value" lines up to the blank line (or EOF, which
// some encoders leave without the final CRLF). The trailer signature of
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER is accepted but not checked.
func (b *Body) readTrailers() error {
	for {
		s, err := b.br.ReadString('\n')
		s = strings.TrimRight(s, "\r\n")
		if s != "" {
			name, value, ok := strings.Cut(s, ":")
			if !ok {
				return fail(BadPayload, "Malformed trailer %q", s)
			}
			if !strings.EqualFold(name, "x-amz-trailer-signature") {
				b.trailer.Set(strings.TrimSpace(name), strings.TrimSpace(value))
			}
		}
		if err != nil || s == "" {
			return nil
		}
	}
}
