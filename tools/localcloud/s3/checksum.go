package s3

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"sort"
	"strings"
)

// crc64NVMEPoly is the CRC-64/NVME polynomial in the reversed form
// hash/crc64 takes.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// checksumAlgorithms are the x-amz-checksum-* algorithms S3 accepts,
// lower-case as in the header names.
var checksumAlgorithms = []string{"crc32", "crc32c", "crc64nvme", "sha1", "sha256"}

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "crc32":
		return crc32.NewIEEE()
	case "crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "crc64nvme":
		return crc64.New(crc64.MakeTable(crc64NVMEPoly))
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	}
	return nil
}

func isChecksumAlgorithm(alg string) bool {
	for _, a := range checksumAlgorithms {
		if a == alg {
			return true
		}
	}
	return false
}

// digests hashes a body as it streams: MD5 for the ETag and each checksum
// the client declared or asked for.
type digests struct {
	md5  hash.Hash
	sums map[string]hash.Hash
}

func newDigests(algs []string) *digests {
	d := &digests{md5: md5.New(), sums: map[string]hash.Hash{}}
	for _, a := range algs {
		if h := newChecksum(a); h != nil {
			d.sums[a] = h
		}
	}
	return d
}

func (d *digests) writer() io.Writer {
	ws := []io.Writer{d.md5}
	for _, h := range d.sums {
		ws = append(ws, h)
	}
	return io.MultiWriter(ws...)
}

func (d *digests) etag() string { return `"` + hex.EncodeToString(d.md5.Sum(nil)) + `"` }

func (d *digests) checksum(alg string) string {
	return base64.StdEncoding.EncodeToString(d.sums[alg].Sum(nil))
}

// declaredChecksums are the checksums a request carries in headers, and the
// algorithms it announced for trailers or asked S3 to compute.
type declaredChecksums struct {
	values  map[string]string
	trailer []string
	algs    []string
}

func declared(headers map[string]string, sdkAlgorithm, trailer string) (declaredChecksums, error) {
	d := declaredChecksums{values: map[string]string{}}
	seen := map[string]bool{}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			d.algs = append(d.algs, a)
		}
	}
	for k, v := range headers {
		if isChecksumAlgorithm(k) {
			d.values[k] = v
			add(k)
		}
	}
	for _, t := range strings.Split(trailer, ",") {
		alg, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-")
		if ok {
			if !isChecksumAlgorithm(alg) {
				return d, invalidArgument("Value for x-amz-trailer header is invalid.")
			}
			d.trailer = append(d.trailer, alg)
			add(alg)
		}
	}
	if a := strings.ToLower(sdkAlgorithm); a != "" {
		if !isChecksumAlgorithm(a) {
			return d, invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		add(a)
	}
	if len(d.values) > 1 {
		return d, invalidArgument("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	sort.Strings(d.algs)
	return d, nil
}

// trailerSource is the request body when it carried aws-chunked trailers.
type trailerSource interface{ Trailer() http.Header }

// verify checks the computed checksums against those declared (headers, or
// trailers read after the body) and returns the checksums to store.
func (d declaredChecksums) verify(dg *digests, body any) (map[string]string, error) {
	if ts, ok := body.(trailerSource); ok {
		for _, alg := range d.trailer {
			if v := ts.Trailer().Get("x-amz-checksum-" + alg); v != "" {
				d.values[alg] = v
			}
		}
	}
	out := map[string]string{}
	for _, alg := range d.algs {
		got := dg.checksum(alg)
		if want, ok := d.values[alg]; ok && want != got {
			return nil, s3Error(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", strings.ToUpper(alg))
		}
		out[alg] = got
	}
	return out, nil
}

// checkContentMD5 compares a Content-MD5 header with the body's MD5.
func checkContentMD5(header string, dg *digests) error {
	if header == "" {
		return nil
	}
	want, err := base64.StdEncoding.DecodeString(header)
	if err != nil || len(want) != md5.Size {
		return s3Error(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
	}
	if string(want) != string(dg.md5.Sum(nil)) {
		return s3Error(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
	}
	return nil
}
