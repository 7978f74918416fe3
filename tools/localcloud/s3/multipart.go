package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// uploadRecord is a multipart upload in progress.
type uploadRecord struct {
	Bucket      string            `json:"bucket"`
	Key         string            `json:"key"`
	Initiated   time.Time         `json:"initiated"`
	ContentType string            `json:"contentType,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	// Algorithm is the checksum algorithm the upload was created with.
	Algorithm string `json:"algorithm,omitempty"`
}

// partRecord is an uploaded part.
type partRecord struct {
	Number       int               `json:"number"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"`
	File         string            `json:"file"`
	LastModified time.Time         `json:"lastModified"`
	Checksums    map[string]string `json:"checksums,omitempty"`
}

func partKey(uploadID string, n int) []byte { return fmt.Appendf(nil, "%s\x00%05d", uploadID, n) }

type createUploadIn struct {
	Bucket             string            `location:"uri"`
	Key                string            `location:"uri"`
	ContentType        string            `location:"header" locationName:"Content-Type"`
	CacheControl       string            `location:"header" locationName:"Cache-Control"`
	ContentDisposition string            `location:"header" locationName:"Content-Disposition"`
	ContentEncoding    string            `location:"header" locationName:"Content-Encoding"`
	ContentLanguage    string            `location:"header" locationName:"Content-Language"`
	Expires            string            `location:"header" locationName:"Expires"`
	Metadata           map[string]string `location:"headers" locationName:"x-amz-meta-"`
	Algorithm          string            `location:"header" locationName:"x-amz-checksum-algorithm"`
}

type initiateResult struct {
	XMLName           xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns             string   `xml:"xmlns,attr"`
	Bucket            string   `xml:"Bucket"`
	Key               string   `xml:"Key"`
	UploadID          string   `xml:"UploadId"`
	ChecksumAlgorithm string   `xml:"-" location:"header" locationName:"x-amz-checksum-algorithm"`
	ChecksumType      string   `xml:"-" location:"header" locationName:"x-amz-checksum-type"`
}

func (s *Service) createMultipartUpload(_ context.Context, in *createUploadIn) (*initiateResult, error) {
	if err := checkKey(in.Key); err != nil {
		return nil, err
	}
	alg := strings.ToLower(in.Algorithm)
	if alg != "" && !isChecksumAlgorithm(alg) {
		return nil, invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	id := s.cfg.IDs.Hex(32)
	rec := uploadRecord{Bucket: in.Bucket, Key: in.Key, Initiated: s.now(), ContentType: in.ContentType,
		Headers: requestHeaders(&putObjectIn{CacheControl: in.CacheControl,
			ContentDisposition: in.ContentDisposition, ContentEncoding: in.ContentEncoding, ContentLanguage: in.ContentLanguage, Expires: in.Expires}), Metadata: in.Metadata, Algorithm: alg}
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		if _, err := s.bucket(tx, in.Bucket); err != nil {
			return err
		}
		return putJSON(tx, uploadsTable, []byte(id), rec)
	})
	if err != nil {
		return nil, err
	}
	out := &initiateResult{Xmlns: xmlns, Bucket: in.Bucket, Key: in.Key, UploadID: id}
	if alg != "" {
		out.ChecksumAlgorithm, out.ChecksumType = strings.ToUpper(alg), "COMPOSITE"
	}
	return out, nil
}

func (s *Service) upload(tx store.Tx, bucket, key, id string) (*uploadRecord, error) {
	if _, err := s.bucket(tx, bucket); err != nil {
		return nil, err
	}
	u, err := getJSON[uploadRecord](tx, uploadsTable, []byte(id))
	if err != nil {
		return nil, err
	}
	if u == nil || u.Bucket != bucket || u.Key != key {
		return nil, noSuchUpload()
	}
	return u, nil
}

type uploadPartIn struct {
	Bucket       string            `location:"uri"`
	Key          string            `location:"uri"`
	PartNumber   string            `location:"querystring" locationName:"partNumber"`
	UploadID     string            `location:"querystring" locationName:"uploadId"`
	Body         io.Reader         `location:"payload"`
	ContentMD5   string            `location:"header" locationName:"Content-MD5"`
	Checksums    map[string]string `location:"headers" locationName:"x-amz-checksum-"`
	SDKAlgorithm string            `location:"header" locationName:"x-amz-sdk-checksum-algorithm"`
	Trailer      string            `location:"header" locationName:"x-amz-trailer"`
}

type uploadPartOut struct {
	ETag      string            `location:"header" locationName:"ETag"`
	Checksums map[string]string `location:"headers" locationName:"x-amz-checksum-"`
	SSE       string            `location:"header" locationName:"x-amz-server-side-encryption"`
}

func parsePartNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 10000 {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
	}
	return n, nil
}

func (s *Service) uploadPart(_ context.Context, in *uploadPartIn) (*uploadPartOut, error) {
	n, err := parsePartNumber(in.PartNumber)
	if err != nil {
		return nil, err
	}
	var up *uploadRecord
	err = s.cfg.Store.View(func(tx store.Tx) error {
		var err error
		up, err = s.upload(tx, in.Bucket, in.Key, in.UploadID)
		return err
	})
	if err != nil {
		return nil, err
	}
	dc, err := declared(in.Checksums, in.SDKAlgorithm, in.Trailer)
	if err != nil {
		return nil, err
	}
	algs := dc.algs
	if up.Algorithm != "" {
		algs = append(algs, up.Algorithm)
	}
	dg := newDigests(algs)
	body := in.Body
	if body == nil {
		body = http.NoBody
	}
	file, size, err := s.writeBlob(body, dg.writer())
	if err != nil {
		return nil, fmt.Errorf("upload part %d: %w", n, err)
	}
	sums, err := dc.verify(dg, in.Body)
	if err == nil {
		err = checkContentMD5(in.ContentMD5, dg)
	}
	if err != nil {
		s.removeBlobs(file)
		return nil, err
	}
	if up.Algorithm != "" {
		sums[up.Algorithm] = dg.checksum(up.Algorithm)
	}
	rec := partRecord{Number: n, Size: size, ETag: dg.etag(), File: file, LastModified: s.now(), Checksums: sums}
	var old string
	err = s.cfg.Store.Update(func(tx store.Tx) error {
		old = ""
		if _, err := s.upload(tx, in.Bucket, in.Key, in.UploadID); err != nil {
			return err
		}
		prev, err := getJSON[partRecord](tx, partsTable, partKey(in.UploadID, n))
		if err != nil {
			return err
		}
		if prev != nil {
			old = prev.File
		}
		return putJSON(tx, partsTable, partKey(in.UploadID, n), rec)
	})
	if err != nil {
		s.removeBlobs(file)
		return nil, err
	}
	s.removeBlobs(old)
	return &uploadPartOut{ETag: rec.ETag, Checksums: sums, SSE: "AES256"}, nil
}

type completedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumElements
}

type completeUpload struct {
	Parts []completedPart `xml:"Part"`
}

type completeIn struct {
	Bucket   string          `location:"uri"`
	Key      string          `location:"uri"`
	UploadID string          `location:"querystring" locationName:"uploadId"`
	Upload   *completeUpload `location:"payload"`
	IfMatch  string          `location:"header" locationName:"If-Match"`
	IfNone   string          `location:"header" locationName:"If-None-Match"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumElements
	ChecksumType string `xml:"ChecksumType,omitempty"`
	SSE          string `xml:"-" location:"header" locationName:"x-amz-server-side-encryption"`
}

func invalidPart() error {
	return s3Error(http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
}

func (s *Service) completeMultipartUpload(ctx context.Context, in *completeIn) (*completeResult, error) {
	if in.Upload == nil || len(in.Upload.Parts) == 0 {
		return nil, malformedXML()
	}
	var up *uploadRecord
	stored := map[int]partRecord{}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		var err error
		if up, err = s.upload(tx, in.Bucket, in.Key, in.UploadID); err != nil {
			return err
		}
		return tx.ForEach(partsTable, []byte(in.UploadID+"\x00"), func(_, v []byte) error {
			var p partRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			stored[p.Number] = p
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	parts := make([]partRecord, 0, len(in.Upload.Parts))
	for i, cp := range in.Upload.Parts {
		if i > 0 && cp.PartNumber <= in.Upload.Parts[i-1].PartNumber {
			return nil, s3Error(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
		}
		p, ok := stored[cp.PartNumber]
		if !ok || trimQuotes(cp.ETag) != trimQuotes(p.ETag) {
			return nil, invalidPart()
		}
		if up.Algorithm != "" {
			if want := cp.checksum(up.Algorithm); want != "" && want != p.Checksums[up.Algorithm] {
				return nil, invalidPart()
			}
		}
		parts = append(parts, p)
	}
	for _, p := range parts[:len(parts)-1] {
		if p.Size < s.cfg.MinPartSize {
			return nil, s3Error(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
		}
	}
	// The object's ETag is the MD5 of the parts' binary MD5s, "-N"; a
	// composite checksum is the checksum of the parts' checksums, "-N".
	md5s := md5.New()
	composite := newChecksum(up.Algorithm)
	readers := make([]io.Reader, 0, len(parts))
	for _, p := range parts {
		raw, _ := hex.DecodeString(trimQuotes(p.ETag))
		md5s.Write(raw)
		if composite != nil {
			raw, _ := base64.StdEncoding.DecodeString(p.Checksums[up.Algorithm])
			composite.Write(raw)
		}
		f, err := s.openBlob(p.File)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		readers = append(readers, f)
	}
	file, size, err := s.writeBlob(io.MultiReader(readers...), io.Discard)
	if err != nil {
		return nil, fmt.Errorf("complete upload %s: %w", in.UploadID, err)
	}
	suffix := "-" + strconv.Itoa(len(parts))
	rec := &objectRecord{Size: size, ETag: `"` + hex.EncodeToString(md5s.Sum(nil)) + suffix + `"`, LastModified: s.now(), File: file,
		ContentType: up.ContentType, Headers: up.Headers, Metadata: up.Metadata, Parts: len(parts)}
	if composite != nil {
		rec.Checksums = map[string]string{up.Algorithm: base64.StdEncoding.EncodeToString(composite.Sum(nil)) + suffix}
		rec.ChecksumType = "COMPOSITE"
	}
	var old []string
	err = s.cfg.Store.Update(func(tx store.Tx) error {
		old = old[:0]
		if _, err := s.upload(tx, in.Bucket, in.Key, in.UploadID); err != nil {
			return err
		}
		prev, err := getJSON[objectRecord](tx, objectsTable, objectKey(in.Bucket, in.Key))
		if err != nil {
			return err
		}
		if in.IfNone == "*" && prev != nil {
			return preconditionFailed()
		}
		if in.IfMatch != "" && (prev == nil || !etagMatches(in.IfMatch, prev.ETag)) {
			return preconditionFailed()
		}
		if prev != nil {
			old = append(old, prev.File)
		}
		if err := putJSON(tx, objectsTable, objectKey(in.Bucket, in.Key), rec); err != nil {
			return err
		}
		files, err := deleteUpload(tx, in.UploadID)
		old = append(old, files...)
		return err
	})
	if err != nil {
		s.removeBlobs(file)
		return nil, err
	}
	s.removeBlobs(old...)
	return &completeResult{Xmlns: xmlns, Location: "/" + in.Bucket + "/" + in.Key, Bucket: in.Bucket, Key: in.Key, ETag: rec.ETag,
		ChecksumType: rec.ChecksumType, SSE: "AES256", checksumElements: elementsOf(rec.Checksums)}, nil
}

// deleteUpload removes an upload and its parts and returns the part files.
func deleteUpload(tx store.Tx, id string) ([]string, error) {
	var files []string
	var keys [][]byte
	err := tx.ForEach(partsTable, []byte(id+"\x00"), func(k, v []byte) error {
		var p partRecord
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		files = append(files, p.File)
		keys = append(keys, append([]byte(nil), k...))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := tx.Delete(partsTable, k); err != nil {
			return nil, err
		}
	}
	return files, tx.Delete(uploadsTable, []byte(id))
}

type uploadIn struct {
	Bucket           string `location:"uri"`
	Key              string `location:"uri"`
	UploadID         string `location:"querystring" locationName:"uploadId"`
	MaxParts         string `location:"querystring" locationName:"max-parts"`
	PartNumberMarker string `location:"querystring" locationName:"part-number-marker"`
}

func (s *Service) abortMultipartUpload(_ context.Context, in *uploadIn) (*struct{}, error) {
	var files []string
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		if _, err := s.upload(tx, in.Bucket, in.Key, in.UploadID); err != nil {
			return err
		}
		var err error
		files, err = deleteUpload(tx, in.UploadID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.removeBlobs(files...)
	return nil, nil
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumElements
}

type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	Xmlns                string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	Parts                []partEntry `xml:"Part"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm,omitempty"`
}

func (s *Service) listParts(_ context.Context, in *uploadIn) (*listPartsResult, error) {
	maxParts := 1000
	if in.MaxParts != "" {
		n, err := strconv.Atoi(in.MaxParts)
		if err != nil || n < 0 {
			return nil, invalidArgument("Provided max-parts not an integer or within integer range")
		}
		maxParts = min(n, 1000)
	}
	marker := 0
	if in.PartNumberMarker != "" {
		n, err := strconv.Atoi(in.PartNumberMarker)
		if err != nil || n < 0 {
			return nil, invalidArgument("Provided part-number-marker not an integer or within integer range")
		}
		marker = n
	}
	out := &listPartsResult{Xmlns: xmlns, Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadID, PartNumberMarker: marker,
		MaxParts: maxParts, Initiator: s.owner(), Owner: s.owner(), StorageClass: "STANDARD"}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		up, err := s.upload(tx, in.Bucket, in.Key, in.UploadID)
		if err != nil {
			return err
		}
		out.ChecksumAlgorithm = strings.ToUpper(up.Algorithm)
		err = tx.ForEach(partsTable, []byte(in.UploadID+"\x00"), func(_, v []byte) error {
			var p partRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if p.Number <= marker {
				return nil
			}
			if len(out.Parts) == maxParts {
				out.IsTruncated = true
				return errStopIteration
			}
			out.Parts = append(out.Parts, partEntry{PartNumber: p.Number, LastModified: isoTime(p.LastModified), ETag: p.ETag, Size: p.Size,
				checksumElements: elementsOf(p.Checksums)})
			out.NextPartNumberMarker = p.Number
			return nil
		})
		if errors.Is(err, errStopIteration) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type uploadEntry struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiated    string `xml:"Initiated"`
	StorageClass string `xml:"StorageClass"`
	Owner        owner  `xml:"Owner"`
	Initiator    owner  `xml:"Initiator"`
}

type listUploadsIn struct {
	Bucket string `location:"uri"`
	Prefix string `location:"querystring" locationName:"prefix"`
}

type listUploadsResult struct {
	XMLName     xml.Name      `xml:"ListMultipartUploadsResult"`
	Xmlns       string        `xml:"xmlns,attr"`
	Bucket      string        `xml:"Bucket"`
	KeyMarker   string        `xml:"KeyMarker"`
	Prefix      string        `xml:"Prefix"`
	MaxUploads  int           `xml:"MaxUploads"`
	IsTruncated bool          `xml:"IsTruncated"`
	Uploads     []uploadEntry `xml:"Upload"`
}

func (s *Service) listMultipartUploads(_ context.Context, in *listUploadsIn) (*listUploadsResult, error) {
	out := &listUploadsResult{Xmlns: xmlns, Bucket: in.Bucket, Prefix: in.Prefix, MaxUploads: 1000}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		if _, err := s.bucket(tx, in.Bucket); err != nil {
			return err
		}
		return tx.ForEach(uploadsTable, nil, func(k, v []byte) error {
			var u uploadRecord
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			if u.Bucket == in.Bucket && strings.HasPrefix(u.Key, in.Prefix) {
				out.Uploads = append(out.Uploads, uploadEntry{Key: u.Key, UploadID: string(k), Initiated: isoTime(u.Initiated),
					StorageClass: "STANDARD", Owner: s.owner(), Initiator: s.owner()})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out.Uploads, func(i, j int) bool { return out.Uploads[i].Key < out.Uploads[j].Key })
	return out, nil
}
