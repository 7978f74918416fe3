package s3

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Store buckets.
const (
	bucketsTable = "s3.buckets"
	objectsTable = "s3.objects"
	uploadsTable = "s3.uploads"
	partsTable   = "s3.parts"
)

// DefaultMinPartSize is S3's smallest part other than the last (5 MiB).
const DefaultMinPartSize = 5 << 20

// Config wires the service.
type Config struct {
	Store store.Store
	// Dir holds object files ("<data dir>/s3").
	Dir    string
	Clock  clock.Clock
	IDs    *ids.Source
	Region string
	// Account is the owner of every bucket.
	Account string
	Logger  *slog.Logger
	// MinPartSize overrides DefaultMinPartSize (tests).
	MinPartSize int64
	// NoFsync skips fsync of object files, as store.Options.NoFsync does
	// for the store.
	NoFsync bool
	// IAM, when set, authorizes calls made with non-root credentials
	// (identity policies and the bucket policy); nil allows every call.
	IAM Authorizer
}

// Service is the S3 service.
type Service struct {
	cfg Config
}

// bucketRecord is a bucket in the store.
type bucketRecord struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Region  string    `json:"region"`
	// Configs are the bucket's configuration documents by kind
	// ("policy", "encryption", ...), as the client sent them.
	Configs map[string]string `json:"configs,omitempty"`
}

// objectRecord is an object's metadata in the store.
type objectRecord struct {
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"`
	LastModified time.Time         `json:"lastModified"`
	File         string            `json:"file"`
	ContentType  string            `json:"contentType,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	// Checksums by lower-case algorithm ("crc32"), base64 as on the wire.
	Checksums    map[string]string `json:"checksums,omitempty"`
	ChecksumType string            `json:"checksumType,omitempty"`
	Parts        int               `json:"parts,omitempty"`
}

// New opens the service, creating its directory and removing object files
// that no metadata refers to (left by a crash before a commit).
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.IDs == nil || cfg.Dir == "" {
		return nil, errors.New("s3: Store, IDs and Dir are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.MinPartSize <= 0 {
		cfg.MinPartSize = DefaultMinPartSize
	}
	s := &Service{cfg: cfg}
	if err := os.MkdirAll(s.blobDir(), 0o755); err != nil {
		return nil, fmt.Errorf("s3: create object dir: %w", err)
	}
	if err := s.sweep(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) blobDir() string { return filepath.Join(s.cfg.Dir, "objects") }

// sweep removes object files no object or part record refers to.
func (s *Service) sweep() error {
	used := map[string]bool{}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		collect := func(_, v []byte) error {
			var rec struct {
				File string `json:"file"`
			}
			if json.Unmarshal(v, &rec) == nil {
				used[rec.File] = true
			}
			return nil
		}
		if err := tx.ForEach(objectsTable, nil, collect); err != nil {
			return err
		}
		return tx.ForEach(partsTable, nil, collect)
	})
	if err != nil {
		return fmt.Errorf("s3: read object index: %w", err)
	}
	entries, err := os.ReadDir(s.blobDir())
	if err != nil {
		return fmt.Errorf("s3: list object files: %w", err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			if err := os.Remove(filepath.Join(s.blobDir(), e.Name())); err != nil {
				s.cfg.Logger.Warn("s3: remove unreferenced object file", "file", e.Name(), "err", err)
			}
		}
	}
	return nil
}

// writeBlob stores r's bytes in a new file (temp name, fsync, link) and
// returns its name; sum receives every byte. A read error removes the file.
func (s *Service) writeBlob(r io.Reader, sum io.Writer) (name string, size int64, err error) {
	name = s.cfg.IDs.Hex(16)
	tmp := filepath.Join(s.blobDir(), ".tmp-"+name)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", 0, fmt.Errorf("create object file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	size, err = io.Copy(io.MultiWriter(f, sum), r)
	if err != nil {
		return "", 0, fmt.Errorf("read object data: %w", err)
	}
	if !s.cfg.NoFsync {
		if err = f.Sync(); err != nil {
			return "", 0, fmt.Errorf("sync object file: %w", err)
		}
	}
	if err = f.Close(); err != nil {
		return "", 0, fmt.Errorf("close object file: %w", err)
	}
	// Link rather than rename: a name already taken (a random source
	// replayed after a restart) must never replace another object's file.
	for attempt := 0; ; attempt++ {
		err = os.Link(tmp, filepath.Join(s.blobDir(), name))
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || attempt >= 8 {
			return "", 0, fmt.Errorf("name object file: %w", err)
		}
		name = s.cfg.IDs.Hex(16)
	}
	_ = os.Remove(tmp)
	if !s.cfg.NoFsync {
		if d, derr := os.Open(s.blobDir()); derr == nil {
			_ = d.Sync()
			_ = d.Close()
		}
	}
	return name, size, nil
}

func (s *Service) removeBlobs(names ...string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		if err := os.Remove(filepath.Join(s.blobDir(), n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.cfg.Logger.Warn("s3: remove object file", "file", n, "err", err)
		}
	}
}

func (s *Service) openBlob(name string) (*os.File, error) {
	f, err := os.Open(filepath.Join(s.blobDir(), name))
	if err != nil {
		return nil, fmt.Errorf("open object file: %w", err)
	}
	return f, nil
}

func objectKey(bucket, key string) []byte { return []byte(bucket + "\x00" + key) }

func getJSON[T any](tx store.Tx, table string, key []byte) (*T, error) {
	b := tx.Get(table, key)
	if b == nil {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decode %s record: %w", table, err)
	}
	return v, nil
}

func putJSON(tx store.Tx, table string, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s record: %w", table, err)
	}
	return tx.Put(table, key, b)
}

func (s *Service) bucket(tx store.Tx, name string) (*bucketRecord, error) {
	b, err := getJSON[bucketRecord](tx, bucketsTable, []byte(name))
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, noSuchBucket()
	}
	return b, nil
}

// Descriptor is the service's registration with the front door.
func (s *Service) Descriptor() *server.Service {
	routes := []server.Route{
		{Method: "GET", Path: "/", Operation: "ListBuckets"},
		{Method: "PUT", Path: "/{Bucket}", Operation: "CreateBucket"},
		{Method: "HEAD", Path: "/{Bucket}", Operation: "HeadBucket"},
		{Method: "DELETE", Path: "/{Bucket}", Operation: "DeleteBucket", Status: 204},
		{Method: "GET", Path: "/{Bucket}?list-type=2", Operation: "ListObjectsV2"},
		{Method: "GET", Path: "/{Bucket}", Operation: "ListObjects"},
		{Method: "GET", Path: "/{Bucket}?location", Operation: "GetBucketLocation"},
		{Method: "GET", Path: "/{Bucket}?uploads", Operation: "ListMultipartUploads"},
		{Method: "POST", Path: "/{Bucket}?delete", Operation: "DeleteObjects"},
		{Method: "PUT", Path: "/{Bucket}/{Key+}", Operation: "PutObject"},
		{Method: "GET", Path: "/{Bucket}/{Key+}", Operation: "GetObject"},
		{Method: "HEAD", Path: "/{Bucket}/{Key+}", Operation: "HeadObject"},
		{Method: "DELETE", Path: "/{Bucket}/{Key+}", Operation: "DeleteObject", Status: 204},
		{Method: "POST", Path: "/{Bucket}/{Key+}?uploads", Operation: "CreateMultipartUpload"},
		{Method: "PUT", Path: "/{Bucket}/{Key+}?partNumber&uploadId", Operation: "UploadPart"},
		{Method: "POST", Path: "/{Bucket}/{Key+}?uploadId", Operation: "CompleteMultipartUpload"},
		{Method: "DELETE", Path: "/{Bucket}/{Key+}?uploadId", Operation: "AbortMultipartUpload", Status: 204},
		{Method: "GET", Path: "/{Bucket}/{Key+}?uploadId", Operation: "ListParts"},
	}
	ops := map[string]server.Operation{
		"ListBuckets":             guarded(s, "ListBuckets", s.listBuckets),
		"CreateBucket":            guarded(s, "CreateBucket", s.createBucket),
		"HeadBucket":              guarded(s, "HeadBucket", s.headBucket),
		"DeleteBucket":            guarded(s, "DeleteBucket", s.deleteBucket),
		"GetBucketLocation":       guarded(s, "GetBucketLocation", s.getBucketLocation),
		"ListObjectsV2":           guarded(s, "ListObjectsV2", s.listObjectsV2),
		"ListObjects":             guarded(s, "ListObjects", s.listObjects),
		"ListMultipartUploads":    guarded(s, "ListMultipartUploads", s.listMultipartUploads),
		"DeleteObjects":           guarded(s, "DeleteObjects", s.deleteObjects),
		"PutObject":               guarded(s, "PutObject", s.putObject),
		"GetObject":               guarded(s, "GetObject", s.getObject),
		"HeadObject":              guarded(s, "HeadObject", s.headObject),
		"DeleteObject":            guarded(s, "DeleteObject", s.deleteObject),
		"CreateMultipartUpload":   guarded(s, "CreateMultipartUpload", s.createMultipartUpload),
		"UploadPart":              guarded(s, "UploadPart", s.uploadPart),
		"CompleteMultipartUpload": guarded(s, "CompleteMultipartUpload", s.completeMultipartUpload),
		"AbortMultipartUpload":    guarded(s, "AbortMultipartUpload", s.abortMultipartUpload),
		"ListParts":               guarded(s, "ListParts", s.listParts),
	}
	for _, c := range bucketConfigs {
		put, get, del := "PutBucket"+c.op, "GetBucket"+c.op, "DeleteBucket"+c.op
		routes = append(routes,
			server.Route{Method: "PUT", Path: "/{Bucket}?" + c.query, Operation: put},
			server.Route{Method: "GET", Path: "/{Bucket}?" + c.query, Operation: get})
		ops[put] = guarded(s, put, s.putConfigOp(c))
		ops[get] = guarded(s, get, s.getConfigOp(c))
		if c.deletable {
			routes = append(routes, server.Route{Method: "DELETE", Path: "/{Bucket}?" + c.query, Operation: del, Status: 204})
			ops[del] = guarded(s, del, s.deleteConfigOp(c))
		}
	}
	return &server.Service{Name: "s3", RESTXML: true, Routes: routes, Operations: ops}
}

// trimQuotes strips an ETag's quotes.
func trimQuotes(s string) string { return strings.Trim(strings.TrimSpace(s), `"`) }
