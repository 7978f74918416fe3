package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// maxKeyLength is S3's key limit in UTF-8 bytes.
const maxKeyLength = 1024

type putObjectIn struct {
	Bucket             string            `location:"uri"`
	Key                string            `location:"uri"`
	Body               io.Reader         `location:"payload"`
	ContentType        string            `location:"header" locationName:"Content-Type"`
	ContentMD5         string            `location:"header" locationName:"Content-MD5"`
	CacheControl       string            `location:"header" locationName:"Cache-Control"`
	ContentDisposition string            `location:"header" locationName:"Content-Disposition"`
	ContentEncoding    string            `location:"header" locationName:"Content-Encoding"`
	ContentLanguage    string            `location:"header" locationName:"Content-Language"`
	Expires            string            `location:"header" locationName:"Expires"`
	Metadata           map[string]string `location:"headers" locationName:"x-amz-meta-"`
	Checksums          map[string]string `location:"headers" locationName:"x-amz-checksum-"`
	SDKAlgorithm       string            `location:"header" locationName:"x-amz-sdk-checksum-algorithm"`
	Trailer            string            `location:"header" locationName:"x-amz-trailer"`
	IfMatch            string            `location:"header" locationName:"If-Match"`
	IfNoneMatch        string            `location:"header" locationName:"If-None-Match"`
	CopySource         string            `location:"header" locationName:"x-amz-copy-source"`
	MetadataDirective  string            `location:"header" locationName:"x-amz-metadata-directive"`
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumElements
}

type putObjectOut struct {
	ETag       string            `location:"header" locationName:"ETag"`
	Checksums  map[string]string `location:"headers" locationName:"x-amz-checksum-"`
	SSE        string            `location:"header" locationName:"x-amz-server-side-encryption"`
	CopyResult *copyObjectResult `location:"payload"`
}

// ObjectInfo describes a stored object to in-process callers.
type ObjectInfo struct {
	Size         int64
	ETag         string
	LastModified time.Time
	ContentType  string
	Metadata     map[string]string
}

func (r *objectRecord) info() ObjectInfo {
	return ObjectInfo{Size: r.Size, ETag: r.ETag, LastModified: r.LastModified, ContentType: r.ContentType, Metadata: r.Metadata}
}

func checkKey(key string) error {
	if len(key) > maxKeyLength {
		return s3Error(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	}
	return nil
}

// PutObject stores body as bucket/key (in-process API, e.g. for tests and
// deploy tooling).
func (s *Service) PutObject(ctx context.Context, bucket, key string, body io.Reader, contentType string) (ObjectInfo, error) {
	out, err := s.putObject(ctx, &putObjectIn{Bucket: bucket, Key: key, Body: body, ContentType: contentType})
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{ETag: out.ETag}, nil
}

func (s *Service) requireBucket(name string) error {
	return s.cfg.Store.View(func(tx store.Tx) error {
		_, err := s.bucket(tx, name)
		return err
	})
}

func (s *Service) putObject(ctx context.Context, in *putObjectIn) (*putObjectOut, error) {
	if err := checkKey(in.Key); err != nil {
		return nil, err
	}
	if err := s.requireBucket(in.Bucket); err != nil {
		return nil, err
	}
	if in.CopySource != "" {
		return s.copyObject(ctx, in)
	}
	if in.IfNoneMatch != "" && in.IfNoneMatch != "*" {
		return nil, s3Error(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
	}
	dc, err := declared(in.Checksums, in.SDKAlgorithm, in.Trailer)
	if err != nil {
		return nil, err
	}
	dg := newDigests(dc.algs)
	body := in.Body
	if body == nil {
		body = http.NoBody
	}
	file, size, err := s.writeBlob(body, dg.writer())
	if err != nil {
		return nil, fmt.Errorf("put %s/%s: %w", in.Bucket, in.Key, err)
	}
	sums, err := dc.verify(dg, in.Body)
	if err == nil {
		err = checkContentMD5(in.ContentMD5, dg)
	}
	if err != nil {
		s.removeBlobs(file)
		return nil, err
	}
	rec := &objectRecord{Size: size, ETag: dg.etag(), LastModified: s.now(), File: file, ContentType: in.ContentType,
		Headers: requestHeaders(in), Metadata: in.Metadata, Checksums: sums}
	if len(sums) > 0 {
		rec.ChecksumType = "FULL_OBJECT"
	}
	if err := s.commitObject(in.Bucket, in.Key, rec, in.IfMatch, in.IfNoneMatch); err != nil {
		s.removeBlobs(file)
		return nil, err
	}
	return &putObjectOut{ETag: rec.ETag, Checksums: checksumHeaders(rec, true), SSE: "AES256"}, nil
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Second) }

func requestHeaders(in *putObjectIn) map[string]string {
	h := map[string]string{}
	enc := []string{}
	for _, e := range strings.Split(in.ContentEncoding, ",") {
		if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
			enc = append(enc, e)
		}
	}
	for name, v := range map[string]string{"Cache-Control": in.CacheControl, "Content-Disposition": in.ContentDisposition,
		"Content-Encoding": strings.Join(enc, ","), "Content-Language": in.ContentLanguage, "Expires": in.Expires} {
		if v != "" {
			h[name] = v
		}
	}
	return h
}

// commitObject records rec as bucket/key if the write conditions hold, then
// removes the file of the object it replaced.
func (s *Service) commitObject(bucket, key string, rec *objectRecord, ifMatch, ifNoneMatch string) error {
	var old string
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		old = ""
		if _, err := s.bucket(tx, bucket); err != nil {
			return err
		}
		prev, err := getJSON[objectRecord](tx, objectsTable, objectKey(bucket, key))
		if err != nil {
			return err
		}
		if ifNoneMatch == "*" && prev != nil {
			return preconditionFailed()
		}
		if ifMatch != "" && (prev == nil || !etagMatches(ifMatch, prev.ETag)) {
			if prev == nil {
				return noSuchKey()
			}
			return preconditionFailed()
		}
		if prev != nil {
			old = prev.File
		}
		return putJSON(tx, objectsTable, objectKey(bucket, key), rec)
	})
	if err != nil {
		return err
	}
	if old != rec.File {
		s.removeBlobs(old)
	}
	return nil
}

func etagMatches(cond, etag string) bool {
	for _, c := range strings.Split(cond, ",") {
		c = strings.TrimSpace(c)
		if c == "*" || trimQuotes(c) == trimQuotes(etag) {
			return true
		}
	}
	return false
}

// checksumHeaders are the x-amz-checksum-* answers for rec.
func checksumHeaders(rec *objectRecord, withType bool) map[string]string {
	if len(rec.Checksums) == 0 {
		return nil
	}
	h := map[string]string{}
	for k, v := range rec.Checksums {
		h[k] = v
	}
	if withType && rec.ChecksumType != "" {
		h["type"] = rec.ChecksumType
	}
	return h
}

func parseCopySource(src string) (bucket, key string, err error) {
	src, _, _ = strings.Cut(src, "?versionId=")
	u, uerr := url.PathUnescape(src)
	if uerr != nil {
		return "", "", invalidArgument("Invalid copy source encoding")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(u, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", invalidArgument("Invalid copy source object key")
	}
	return bucket, key, nil
}

func (s *Service) copyObject(ctx context.Context, in *putObjectIn) (*putObjectOut, error) {
	srcBucket, srcKey, err := parseCopySource(in.CopySource)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "s3:GetObject", srcBucket, srcKey); err != nil {
		return nil, err
	}
	replace := strings.EqualFold(in.MetadataDirective, "REPLACE")
	if in.MetadataDirective != "" && !replace && !strings.EqualFold(in.MetadataDirective, "COPY") {
		return nil, invalidArgument("Unknown metadata directive.")
	}
	if srcBucket == in.Bucket && srcKey == in.Key && !replace {
		return nil, s3Error(http.StatusBadRequest, "InvalidRequest",
			"This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	src, f, err := s.openObject(srcBucket, srcKey)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	algs := []string{}
	for a := range src.Checksums {
		algs = append(algs, a)
	}
	if a := strings.ToLower(in.SDKAlgorithm); isChecksumAlgorithm(a) {
		algs = []string{a}
	}
	dg := newDigests(algs)
	file, size, err := s.writeBlob(f, dg.writer())
	if err != nil {
		return nil, fmt.Errorf("copy %s/%s: %w", srcBucket, srcKey, err)
	}
	rec := &objectRecord{Size: size, ETag: dg.etag(), LastModified: s.now(), File: file,
		ContentType: src.ContentType, Headers: src.Headers, Metadata: src.Metadata, Checksums: map[string]string{}}
	if replace {
		rec.ContentType, rec.Headers, rec.Metadata = in.ContentType, requestHeaders(in), in.Metadata
	}
	for _, a := range algs {
		rec.Checksums[a] = dg.checksum(a)
	}
	if len(algs) > 0 {
		rec.ChecksumType = "FULL_OBJECT"
	}
	if err := s.commitObject(in.Bucket, in.Key, rec, "", ""); err != nil {
		s.removeBlobs(file)
		return nil, err
	}
	res := &copyObjectResult{Xmlns: xmlns, ETag: rec.ETag, LastModified: isoTime(rec.LastModified), ChecksumType: rec.ChecksumType,
		checksumElements: elementsOf(rec.Checksums)}
	return &putObjectOut{SSE: "AES256", CopyResult: res}, nil
}

// checksumElements are the Checksum* elements of S3's XML results.
type checksumElements struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func elementsOf(sums map[string]string) checksumElements {
	return checksumElements{ChecksumCRC32: sums["crc32"], ChecksumCRC32C: sums["crc32c"], ChecksumCRC64NVME: sums["crc64nvme"],
		ChecksumSHA1: sums["sha1"], ChecksumSHA256: sums["sha256"]}
}

// checksum is the element for a lower-case algorithm name.
func (c checksumElements) checksum(alg string) string {
	return map[string]string{"crc32": c.ChecksumCRC32, "crc32c": c.ChecksumCRC32C, "crc64nvme": c.ChecksumCRC64NVME,
		"sha1": c.ChecksumSHA1, "sha256": c.ChecksumSHA256}[alg]
}

// openObject reads an object's record and opens its file. A concurrent
// overwrite may remove the file between the two; the read is retried.
func (s *Service) openObject(bucket, key string) (*objectRecord, io.ReadSeekCloser, error) {
	for attempt := 0; ; attempt++ {
		rec, err := s.objectRecord(bucket, key)
		if err != nil {
			return nil, nil, err
		}
		f, err := s.openBlob(rec.File)
		if err == nil {
			return rec, f, nil
		}
		if attempt >= 3 {
			return nil, nil, err
		}
	}
}

func (s *Service) objectRecord(bucket, key string) (*objectRecord, error) {
	var rec *objectRecord
	err := s.cfg.Store.View(func(tx store.Tx) error {
		if _, err := s.bucket(tx, bucket); err != nil {
			return err
		}
		var err error
		rec, err = getJSON[objectRecord](tx, objectsTable, objectKey(bucket, key))
		if err == nil && rec == nil {
			return noSuchKey()
		}
		return err
	})
	return rec, err
}

// GetObject opens bucket/key for reading (in-process API, e.g. for
// CloudFormation's TemplateURL and Lambda code in S3). The caller closes
// the reader.
func (s *Service) GetObject(_ context.Context, bucket, key string) (io.ReadCloser, ObjectInfo, error) {
	rec, f, err := s.openObject(bucket, key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	return f, rec.info(), nil
}

type getObjectIn struct {
	Bucket                     string `location:"uri"`
	Key                        string `location:"uri"`
	Range                      string `location:"header" locationName:"Range"`
	IfMatch                    string `location:"header" locationName:"If-Match"`
	IfNoneMatch                string `location:"header" locationName:"If-None-Match"`
	IfModifiedSince            string `location:"header" locationName:"If-Modified-Since"`
	IfUnmodifiedSince          string `location:"header" locationName:"If-Unmodified-Since"`
	ChecksumMode               string `location:"header" locationName:"x-amz-checksum-mode"`
	ResponseContentType        string `location:"querystring" locationName:"response-content-type"`
	ResponseContentDisposition string `location:"querystring" locationName:"response-content-disposition"`
	ResponseCacheControl       string `location:"querystring" locationName:"response-cache-control"`
}

type getObjectOut struct {
	Status        int               `location:"statusCode"`
	Body          io.ReadCloser     `location:"payload"`
	ContentLength int64             `location:"header" locationName:"Content-Length"`
	ContentType   string            `location:"header" locationName:"Content-Type"`
	ContentRange  string            `location:"header" locationName:"Content-Range"`
	AcceptRanges  string            `location:"header" locationName:"Accept-Ranges"`
	ETag          string            `location:"header" locationName:"ETag"`
	LastModified  time.Time         `location:"header" locationName:"Last-Modified"`
	SSE           string            `location:"header" locationName:"x-amz-server-side-encryption"`
	Metadata      map[string]string `location:"headers" locationName:"x-amz-meta-"`
	Checksums     map[string]string `location:"headers" locationName:"x-amz-checksum-"`
	CacheControl  string            `location:"header" locationName:"Cache-Control"`
	Disposition   string            `location:"header" locationName:"Content-Disposition"`
	Encoding      string            `location:"header" locationName:"Content-Encoding"`
	Language      string            `location:"header" locationName:"Content-Language"`
	Expires       string            `location:"header" locationName:"Expires"`
}

func (s *Service) getObject(_ context.Context, in *getObjectIn) (*getObjectOut, error) {
	return s.readObject(in, true)
}

func (s *Service) headObject(_ context.Context, in *getObjectIn) (*getObjectOut, error) {
	return s.readObject(in, false)
}

func (s *Service) readObject(in *getObjectIn, withBody bool) (*getObjectOut, error) {
	rec, f, err := s.openObject(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			_ = f.Close()
		}
	}()
	if err := checkConditions(in, rec); err != nil {
		return nil, err
	}
	out := &getObjectOut{Status: http.StatusOK, ContentLength: rec.Size, ContentType: rec.ContentType, AcceptRanges: "bytes",
		ETag: rec.ETag, LastModified: rec.LastModified, SSE: "AES256", Metadata: rec.Metadata,
		CacheControl: rec.Headers["Cache-Control"], Disposition: rec.Headers["Content-Disposition"], Encoding: rec.Headers["Content-Encoding"],
		Language: rec.Headers["Content-Language"], Expires: rec.Headers["Expires"]}
	if out.ContentType == "" {
		out.ContentType = "binary/octet-stream"
	}
	if in.ResponseContentType != "" {
		out.ContentType = in.ResponseContentType
	}
	if in.ResponseContentDisposition != "" {
		out.Disposition = in.ResponseContentDisposition
	}
	if in.ResponseCacheControl != "" {
		out.CacheControl = in.ResponseCacheControl
	}
	start, end, ranged, err := parseRange(in.Range, rec.Size)
	if err != nil {
		return nil, err
	}
	if ranged {
		out.Status = http.StatusPartialContent
		out.ContentLength = end - start + 1
		out.ContentRange = fmt.Sprintf("bytes %d-%d/%d", start, end, rec.Size)
	} else if strings.EqualFold(in.ChecksumMode, "ENABLED") {
		out.Checksums = checksumHeaders(rec, true)
	}
	if !withBody {
		return out, nil
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("seek object file: %w", err)
	}
	out.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(f, out.ContentLength), f}
	keep = true
	return out, nil
}

// checkConditions applies If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since in RFC 7232's order, as S3 does.
func checkConditions(in *getObjectIn, rec *objectRecord) error {
	notModified := s3Error(http.StatusNotModified, "NotModified", "Not Modified")
	if in.IfMatch != "" {
		if !etagMatches(in.IfMatch, rec.ETag) {
			return preconditionFailed()
		}
	} else if t, err := http.ParseTime(in.IfUnmodifiedSince); in.IfUnmodifiedSince != "" && err == nil && rec.LastModified.After(t) {
		return preconditionFailed()
	}
	if in.IfNoneMatch != "" {
		if etagMatches(in.IfNoneMatch, rec.ETag) {
			return notModified
		}
	} else if t, err := http.ParseTime(in.IfModifiedSince); in.IfModifiedSince != "" && err == nil && !rec.LastModified.After(t) {
		return notModified
	}
	return nil
}

// parseRange parses a single "bytes=" range. A malformed header is ignored
// (the whole object is served), an unsatisfiable one is InvalidRange.
func parseRange(h string, size int64) (start, end int64, ranged bool, err error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, size - 1, false, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, size - 1, false, nil
	}
	unsatisfiable := s3Error(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
	switch first {
	case "":
		n, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || n < 0 {
			return 0, size - 1, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, unsatisfiable
		}
		start, end = max(size-n, 0), size-1
	default:
		a, perr := strconv.ParseInt(first, 10, 64)
		if perr != nil || a < 0 {
			return 0, size - 1, false, nil
		}
		end = size - 1
		if last != "" {
			b, perr := strconv.ParseInt(last, 10, 64)
			if perr != nil || b < a {
				return 0, size - 1, false, nil
			}
			end = min(b, size-1)
		}
		if a >= size {
			return 0, 0, false, unsatisfiable
		}
		start = a
	}
	return start, end, true, nil
}

type objectIn struct {
	Bucket string `location:"uri"`
	Key    string `location:"uri"`
}

// DeleteObject deletes bucket/key; a missing key is not an error
// (in-process API).
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	_, err := s.deleteObject(ctx, &objectIn{Bucket: bucket, Key: key})
	return err
}

func (s *Service) deleteObject(_ context.Context, in *objectIn) (*struct{}, error) {
	files, err := s.deleteKeys(in.Bucket, []string{in.Key})
	if err != nil {
		return nil, err
	}
	s.removeBlobs(files...)
	return nil, nil
}

// deleteKeys removes keys in one transaction and returns their files.
func (s *Service) deleteKeys(bucket string, keys []string) ([]string, error) {
	var files []string
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		files = files[:0]
		if _, err := s.bucket(tx, bucket); err != nil {
			return err
		}
		for _, k := range keys {
			prev, err := getJSON[objectRecord](tx, objectsTable, objectKey(bucket, k))
			if err != nil {
				return err
			}
			if prev == nil {
				continue
			}
			files = append(files, prev.File)
			if err := tx.Delete(objectsTable, objectKey(bucket, k)); err != nil {
				return err
			}
		}
		return nil
	})
	return files, err
}

type deleteObjectsIn struct {
	Bucket     string            `location:"uri"`
	Body       []byte            `location:"payload"`
	ContentMD5 string            `location:"header" locationName:"Content-MD5"`
	Checksums  map[string]string `location:"headers" locationName:"x-amz-checksum-"`
	SDKAlg     string            `location:"header" locationName:"x-amz-sdk-checksum-algorithm"`
}

type deleteRequest struct {
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
	Quiet bool `xml:"Quiet"`
}

type deletedEntry struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name       `xml:"DeleteResult"`
	Xmlns   string         `xml:"xmlns,attr"`
	Deleted []deletedEntry `xml:"Deleted"`
	Errors  []deleteError  `xml:"Error"`
}

func (s *Service) deleteObjects(ctx context.Context, in *deleteObjectsIn) (*deleteResult, error) {
	if err := s.requireBucket(in.Bucket); err != nil {
		return nil, err
	}
	dc, err := declared(in.Checksums, in.SDKAlg, "")
	if err != nil {
		return nil, err
	}
	if in.ContentMD5 == "" && len(dc.values) == 0 {
		return nil, s3Error(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
	}
	dg := newDigests(dc.algs)
	_, _ = dg.writer().Write(in.Body)
	if _, err := dc.verify(dg, nil); err != nil {
		return nil, err
	}
	if err := checkContentMD5(in.ContentMD5, dg); err != nil {
		return nil, err
	}
	var req deleteRequest
	if err := xml.Unmarshal(in.Body, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return nil, malformedXML()
	}
	out := &deleteResult{Xmlns: xmlns}
	keys := make([]string, 0, len(req.Objects))
	for _, o := range req.Objects {
		if err := checkKey(o.Key); err != nil || o.Key == "" {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: "InvalidArgument", Message: "Invalid key"})
			continue
		}
		if err := s.authorize(ctx, "s3:DeleteObject", in.Bucket, o.Key); err != nil {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: "AccessDenied", Message: "Access Denied"})
			continue
		}
		keys = append(keys, o.Key)
	}
	files, err := s.deleteKeys(in.Bucket, keys)
	if err != nil {
		return nil, err
	}
	s.removeBlobs(files...)
	if !req.Quiet {
		for _, k := range keys {
			out.Deleted = append(out.Deleted, deletedEntry{Key: k})
		}
	}
	return out, nil
}

var errStopIteration = errors.New("stop iteration")
