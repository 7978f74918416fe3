package s3_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
)

var testCreds = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// signedRequest signs a raw request as the S3 SDKs do (path not escaped
// twice), declaring payloadHash in x-amz-content-sha256.
func signedRequest(t *testing.T, method, url string, body []byte, payloadHash string, header map[string]string, now time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), testCreds, req, payloadHash, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func getBody(t *testing.T, c *awss3.Client, bucket, key string) (string, error) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func TestPayloadHashing(t *testing.T) {
	e := start(t)
	c := e.client("")
	if _, err := c.CreateBucket(ctx(t), &awss3.CreateBucketInput{Bucket: aws.String("wire")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()

	t.Run("tampered body", func(t *testing.T) {
		req := signedRequest(t, "PUT", e.URL+"/wire/tampered", []byte("evil"), sha256Hex([]byte("good")), nil, now)
		status, body := do(t, req)
		if status != 400 || !strings.Contains(body, "<Code>XAmzContentSHA256Mismatch</Code>") {
			t.Fatalf("%d %s", status, body)
		}
		_, err := getBody(t, c, "wire", "tampered")
		wantCode(t, err, "NoSuchKey")
	})
	t.Run("unsigned payload", func(t *testing.T) {
		req := signedRequest(t, "PUT", e.URL+"/wire/unsigned", []byte("free"), sigv4.UnsignedPayload, nil, now)
		if status, body := do(t, req); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		if got, err := getBody(t, c, "wire", "unsigned"); err != nil || got != "free" {
			t.Fatalf("%q %v", got, err)
		}
	})
	t.Run("missing payload hash", func(t *testing.T) {
		req := signedRequest(t, "PUT", e.URL+"/wire/nohash", []byte("x"), sha256Hex([]byte("x")), nil, now)
		req.Header.Del("X-Amz-Content-Sha256")
		status, body := do(t, req)
		if status != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code>") {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		req, _ := http.NewRequest("GET", e.URL+"/wire/unsigned", nil)
		req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "bad"}, req,
			sigv4.UnsignedPayload, "s3", "us-east-1", now); err != nil {
			t.Fatal(err)
		}
		status, body := do(t, req)
		if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("unknown key and anonymous", func(t *testing.T) {
		req, _ := http.NewRequest("GET", e.URL+"/wire/unsigned", nil)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "nobody", SecretAccessKey: "x"}, req,
			sigv4.UnsignedPayload, "s3", "us-east-1", now); err != nil {
			t.Fatal(err)
		}
		if status, body := do(t, req); status != 403 || !strings.Contains(body, "<Code>InvalidAccessKeyId</Code>") {
			t.Fatalf("%d %s", status, body)
		}
		req, _ = http.NewRequest("GET", e.URL+"/wire/unsigned", nil)
		req.Host = "wire.s3.localhost"
		if status, body := do(t, req); status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
			t.Fatalf("anonymous: %d %s", status, body)
		}
	})
}

// chunkedBody encodes data as aws-chunked with chunk signatures chained
// from the seed signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).
func chunkedBody(data []byte, chunk int, seed string, now time.Time, tamper bool) []byte {
	key := sigv4.SigningKey("test", now.Format("20060102"), "us-east-1", "s3")
	scope := now.Format("20060102") + "/us-east-1/s3/aws4_request"
	prev := seed
	var out bytes.Buffer
	emit := func(p []byte) {
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + now.Format("20060102T150405Z") + "\n" + scope + "\n" + prev + "\n" +
			sha256Hex(nil) + "\n" + sha256Hex(p)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(sts))
		sig := hex.EncodeToString(m.Sum(nil))
		fmt.Fprintf(&out, "%x;chunk-signature=%s\r\n", len(p), sig)
		if tamper && len(p) > 0 {
			p = append([]byte{p[0] ^ 1}, p[1:]...)
		}
		out.Write(p)
		out.WriteString("\r\n")
		prev = sig
	}
	for len(data) > 0 {
		n := min(chunk, len(data))
		emit(data[:n])
		data = data[n:]
	}
	emit(nil)
	return out.Bytes()
}

func TestStreamingSignedPayload(t *testing.T) {
	e := start(t)
	c := e.client("")
	if _, err := c.CreateBucket(ctx(t), &awss3.CreateBucketInput{Bucket: aws.String("chunks")}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("chunked payload "), 5000) // 80,000 bytes: two 64 KiB chunks
	for _, tc := range []struct {
		name   string
		tamper bool
	}{{"valid", false}, {"tampered chunk", true}} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now().UTC()
			key := strings.ReplaceAll(tc.name, " ", "-")
			hdr := map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": strconv.Itoa(len(data))}
			// Sign the headers first (the seed signature), then chain the chunks from it.
			body := chunkedBody(data, 64<<10, "", now, tc.tamper) // only its length matters here
			req, _ := http.NewRequest("PUT", e.URL+"/chunks/"+key, bytes.NewReader(body))
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingSigned)
			req.ContentLength = int64(len(body))
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			if err := signer.SignHTTP(context.Background(), testCreds, req, sigv4.StreamingSigned, "s3", "us-east-1", now); err != nil {
				t.Fatal(err)
			}
			auth := req.Header.Get("Authorization")
			seed := auth[strings.LastIndex(auth, "Signature=")+len("Signature="):]
			body = chunkedBody(data, 64<<10, seed, now, tc.tamper)
			req.Body = io.NopCloser(bytes.NewReader(body))
			status, resp := do(t, req)
			if tc.tamper {
				if status != 403 || !strings.Contains(resp, "<Code>SignatureDoesNotMatch</Code>") {
					t.Fatalf("%d %s", status, resp)
				}
				_, err := getBody(t, c, "chunks", key)
				wantCode(t, err, "NoSuchKey")
				return
			}
			if status != 200 {
				t.Fatalf("%d %s", status, resp)
			}
			if got, err := getBody(t, c, "chunks", key); err != nil || got != string(data) {
				t.Fatalf("decoded object differs (%d bytes): %v", len(got), err)
			}
		})
	}
}

func TestStreamingUnsignedTrailer(t *testing.T) {
	e := start(t)
	c := e.client("")
	if _, err := c.CreateBucket(ctx(t), &awss3.CreateBucketInput{Bucket: aws.String("trailers")}); err != nil {
		t.Fatal(err)
	}
	data := []byte("trailing checksum body")
	for _, tc := range []struct {
		name, crc string
		status    int
	}{{"good", crc32B64(data), 200}, {"bad", crc32B64([]byte("other")), 400}} {
		t.Run(tc.name, func(t *testing.T) {
			body := fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(data), data, tc.crc)
			req := signedRequest(t, "PUT", e.URL+"/trailers/"+tc.name, []byte(body), sigv4.StreamingUnsignedTrailer,
				map[string]string{"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": strconv.Itoa(len(data)),
					"X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Sdk-Checksum-Algorithm": "CRC32"}, time.Now().UTC())
			status, resp := do(t, req)
			if status != tc.status {
				t.Fatalf("%d %s", status, resp)
			}
			if tc.status == 400 && !strings.Contains(resp, "<Code>BadDigest</Code>") {
				t.Fatalf("bad trailer: %s", resp)
			}
		})
	}
	if got, err := getBody(t, c, "trailers", "good"); err != nil || got != string(data) {
		t.Fatalf("%q %v", got, err)
	}
}

// Over TLS the SDK streams aws-chunked bodies with trailing checksums.
func TestSDKOverTLSUsesTrailers(t *testing.T) {
	e := start(t, envOptions{tls: true})
	rec := &recordingTransport{next: e.srv.Client().Transport}
	c := awss3.New(e.client("").Options(), func(o *awss3.Options) { o.HTTPClient = &http.Client{Transport: rec} })
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("tls")}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 200_000)
	put, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("tls"), Key: aws.String("obj"), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ChecksumCRC32) != crc32B64(data) || aws.ToString(put.ETag) != md5ETag(data) {
		t.Fatalf("PutObject over TLS: %+v", put)
	}
	if rec.last.Get("X-Amz-Content-Sha256") != sigv4.StreamingUnsignedTrailer || rec.last.Get("X-Amz-Trailer") != "x-amz-checksum-crc32" {
		t.Fatalf("the SDK sent %v", rec.last)
	}
	get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("tls"), Key: aws.String("obj"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetObject over TLS: %v", err)
	}
}

func TestPresignedURLs(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("presign")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("a/b c"), Body: strings.NewReader("shared")}); err != nil {
		t.Fatal(err)
	}
	ps, err := awss3.NewPresignClient(c).PresignGetObject(cx, &awss3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("a/b c")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "shared" {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, b)
	}
	// A presigned PUT carries UNSIGNED-PAYLOAD.
	pp, err := awss3.NewPresignClient(c).PresignPutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("upload")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(pp.Method, pp.URL, strings.NewReader("via presigned url"))
	for k, v := range pp.SignedHeader {
		req.Header[k] = v
	}
	if status, body := do(t, req); status != 200 {
		t.Fatalf("presigned PUT: %d %s", status, body)
	}
	if got, err := getBody(t, c, "presign", "upload"); err != nil || got != "via presigned url" {
		t.Fatalf("%q %v", got, err)
	}
	// Tampering with a presigned URL's query breaks its signature.
	resp, err = http.Get(strings.Replace(ps.URL, "b%20c", "b%20d", 1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "SignatureDoesNotMatch") {
		t.Fatalf("tampered presigned URL: %d %s", resp.StatusCode, b)
	}
}

// Virtual-hosted requests (bucket.s3.localhost) name the bucket in the host.
func TestVirtualHostedStyle(t *testing.T) {
	e := start(t)
	addr := strings.TrimPrefix(e.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	dialer := &net.Dialer{}
	c := awss3.New(awss3.Options{
		Region:       "us-east-1",
		Credentials:  aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return testCreds, nil }),
		BaseEndpoint: aws.String("http://s3.localhost:" + port),
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		}}},
		Retryer: aws.NopRetryer{},
	})
	cx := ctx(t)
	if _, err := e.client("").CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("k/1"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: aws.String("vhost")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "k/1" {
		t.Fatalf("virtual-hosted list: %v %+v", err, out)
	}
}

// recordingTransport keeps the headers of the last request.
type recordingTransport struct {
	next http.RoundTripper
	last http.Header
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.last = req.Header.Clone()
	return r.next.RoundTrip(req)
}
