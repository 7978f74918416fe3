package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

type bucketIn struct {
	Bucket string `location:"uri"`
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

type listBucketsOut struct {
	XMLName xml.Name      `xml:"ListAllMyBucketsResult"`
	Xmlns   string        `xml:"xmlns,attr"`
	Owner   owner         `xml:"Owner"`
	Buckets []bucketEntry `xml:"Buckets>Bucket"`
}

func (s *Service) owner() owner { return owner{ID: s.cfg.Account, DisplayName: "localcloud"} }

func (s *Service) listBuckets(_ context.Context, _ *struct{}) (*listBucketsOut, error) {
	out := &listBucketsOut{Xmlns: xmlns, Owner: s.owner(), Buckets: []bucketEntry{}}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketsTable, nil, func(_, v []byte) error {
			var b bucketRecord
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			out.Buckets = append(out.Buckets, bucketEntry{Name: b.Name, CreationDate: isoTime(b.Created), BucketRegion: b.Region})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type createBucketConfiguration struct {
	LocationConstraint *string `xml:"LocationConstraint"`
}

type createBucketIn struct {
	Bucket string                     `location:"uri"`
	Config *createBucketConfiguration `location:"payload"`
}

type createBucketOut struct {
	Location string `location:"header" locationName:"Location"`
}

// validBucketName follows S3's general purpose bucket naming rules.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for _, bad := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, bad) {
			return false
		}
	}
	for _, bad := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, bad) {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := ('a' <= c && c <= 'z') || ('0' <= c && c <= '9')
		if !alnum && c != '-' && c != '.' {
			return false
		}
		if (i == 0 || i == len(name)-1) && !alnum {
			return false
		}
	}
	return true
}

// CreateBucket creates a bucket in the service's region (in-process API).
func (s *Service) CreateBucket(ctx context.Context, name string) error {
	_, err := s.createBucket(ctx, &createBucketIn{Bucket: name})
	return err
}

func (s *Service) createBucket(_ context.Context, in *createBucketIn) (*createBucketOut, error) {
	if !validBucketName(in.Bucket) {
		return nil, s3Error(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
	}
	var constraint string
	if in.Config != nil && in.Config.LocationConstraint != nil {
		constraint = *in.Config.LocationConstraint
	}
	// us-east-1 takes no constraint (naming it is an error); every other
	// region must be named and must be the endpoint's own.
	switch {
	case s.cfg.Region == "us-east-1" && constraint == "us-east-1":
		return nil, s3Error(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
	case s.cfg.Region == "us-east-1" && constraint != "":
		return nil, s3Error(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	case s.cfg.Region != "us-east-1" && constraint == "":
		return nil, s3Error(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case s.cfg.Region != "us-east-1" && constraint != s.cfg.Region:
		return nil, s3Error(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	now := s.cfg.Clock.Now().UTC()
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		if tx.Get(bucketsTable, []byte(in.Bucket)) != nil {
			// us-east-1 keeps its legacy answer: 200 for a bucket you own.
			if s.cfg.Region == "us-east-1" {
				return nil
			}
			return s3Error(http.StatusConflict, "BucketAlreadyOwnedByYou",
				"Your previous request to create the named bucket succeeded and you already own it.")
		}
		return putJSON(tx, bucketsTable, []byte(in.Bucket), bucketRecord{Name: in.Bucket, Created: now, Region: s.cfg.Region})
	})
	if err != nil {
		return nil, err
	}
	return &createBucketOut{Location: "/" + in.Bucket}, nil
}

type headBucketOut struct {
	Region string `location:"header" locationName:"x-amz-bucket-region"`
}

func (s *Service) headBucket(_ context.Context, in *bucketIn) (*headBucketOut, error) {
	var region string
	err := s.cfg.Store.View(func(tx store.Tx) error {
		b, err := s.bucket(tx, in.Bucket)
		if err == nil {
			region = b.Region
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &headBucketOut{Region: region}, nil
}

// DeleteBucket deletes an empty bucket (in-process API).
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	_, err := s.deleteBucket(ctx, &bucketIn{Bucket: name})
	return err
}

func (s *Service) deleteBucket(_ context.Context, in *bucketIn) (*struct{}, error) {
	var parts []string
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		parts = parts[:0]
		if _, err := s.bucket(tx, in.Bucket); err != nil {
			return err
		}
		empty := true
		err := tx.ForEach(objectsTable, objectKey(in.Bucket, ""), func(_, _ []byte) error {
			empty = false
			return errStopIteration
		})
		if err != nil && !errors.Is(err, errStopIteration) {
			return err
		}
		if !empty {
			return s3Error(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
		}
		// Uploads still in progress go with the bucket.
		var uploads []string
		err = tx.ForEach(uploadsTable, nil, func(k, v []byte) error {
			var u uploadRecord
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			if u.Bucket == in.Bucket {
				uploads = append(uploads, string(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range uploads {
			files, err := deleteUpload(tx, id)
			if err != nil {
				return err
			}
			parts = append(parts, files...)
		}
		return tx.Delete(bucketsTable, []byte(in.Bucket))
	})
	if err != nil {
		return nil, err
	}
	s.removeBlobs(parts...)
	return nil, nil
}

type locationOut struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (s *Service) getBucketLocation(_ context.Context, in *bucketIn) (*locationOut, error) {
	out := &locationOut{Xmlns: xmlns}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		b, err := s.bucket(tx, in.Bucket)
		if err == nil && b.Region != "us-east-1" {
			out.Region = b.Region
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bucketConfig is one kind of bucket configuration document.
type bucketConfig struct {
	op, query string
	// root is the XML root element; empty for JSON (policy).
	root        string
	deletable   bool
	missingCode string
	missingMsg  string
	// fallback is what a bucket without the document answers, as AWS
	// does for settings every new bucket has.
	fallback string
}

var bucketConfigs = []bucketConfig{
	{op: "Policy", query: "policy", deletable: true, missingCode: "NoSuchBucketPolicy", missingMsg: "The bucket policy does not exist"},
	{op: "Encryption", query: "encryption", root: "ServerSideEncryptionConfiguration", deletable: true,
		fallback: `<ServerSideEncryptionConfiguration xmlns="` + xmlns + `"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`},
	{op: "Versioning", query: "versioning", root: "VersioningConfiguration",
		fallback: `<VersioningConfiguration xmlns="` + xmlns + `"/>`},
	{op: "PublicAccessBlock", query: "publicAccessBlock", root: "PublicAccessBlockConfiguration", deletable: true,
		missingCode: "NoSuchPublicAccessBlockConfiguration", missingMsg: "The public access block configuration was not found"},
	{op: "Tagging", query: "tagging", root: "Tagging", deletable: true, missingCode: "NoSuchTagSet", missingMsg: "The TagSet does not exist"},
	{op: "OwnershipControls", query: "ownershipControls", root: "OwnershipControls", deletable: true,
		missingCode: "OwnershipControlsNotFoundError", missingMsg: "The bucket ownership controls were not found"},
	{op: "LifecycleConfiguration", query: "lifecycle", root: "LifecycleConfiguration", deletable: true,
		missingCode: "NoSuchLifecycleConfiguration", missingMsg: "The lifecycle configuration does not exist"},
}

type configIn struct {
	Bucket string `location:"uri"`
	Body   []byte `location:"payload"`
}

type configOut struct {
	ContentType string `location:"header" locationName:"Content-Type"`
	Body        []byte `location:"payload"`
}

// PutBucketConfig stores a bucket configuration document (in-process API
// for CloudFormation): kind is the REST subresource ("policy",
// "encryption", "versioning", "publicAccessBlock", "tagging",
// "ownershipControls", "lifecycle"); doc is the XML (JSON for policy) the
// Put call takes.
func (s *Service) PutBucketConfig(ctx context.Context, bucket, kind string, doc []byte) error {
	for _, c := range bucketConfigs {
		if c.query == kind {
			_, err := s.putConfigOp(c)(ctx, &configIn{Bucket: bucket, Body: doc})
			return err
		}
	}
	return invalidArgument("unknown bucket configuration %q", kind)
}

// BucketConfig returns a stored configuration document, or nil.
func (s *Service) BucketConfig(_ context.Context, bucket, kind string) ([]byte, error) {
	var doc []byte
	err := s.cfg.Store.View(func(tx store.Tx) error {
		b, err := s.bucket(tx, bucket)
		if err == nil && b.Configs[kind] != "" {
			doc = []byte(b.Configs[kind])
		}
		return err
	})
	return doc, err
}

func (s *Service) putConfigOp(c bucketConfig) func(context.Context, *configIn) (*struct{}, error) {
	return func(_ context.Context, in *configIn) (*struct{}, error) {
		if err := validConfigDoc(c, in.Body); err != nil {
			return nil, err
		}
		err := s.cfg.Store.Update(func(tx store.Tx) error {
			b, err := s.bucket(tx, in.Bucket)
			if err != nil {
				return err
			}
			if b.Configs == nil {
				b.Configs = map[string]string{}
			}
			b.Configs[c.query] = string(in.Body)
			return putJSON(tx, bucketsTable, []byte(in.Bucket), b)
		})
		return nil, err
	}
}

func validConfigDoc(c bucketConfig, doc []byte) error {
	if c.root == "" {
		var v map[string]any
		if json.Unmarshal(doc, &v) != nil || v["Statement"] == nil {
			return s3Error(http.StatusBadRequest, "MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
		}
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	var root struct{ XMLName xml.Name }
	if err := d.Decode(&root); err != nil || root.XMLName.Local != c.root {
		return malformedXML()
	}
	return nil
}

func (s *Service) getConfigOp(c bucketConfig) func(context.Context, *bucketIn) (*configOut, error) {
	return func(_ context.Context, in *bucketIn) (*configOut, error) {
		var doc string
		err := s.cfg.Store.View(func(tx store.Tx) error {
			b, err := s.bucket(tx, in.Bucket)
			if err == nil {
				doc = b.Configs[c.query]
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if doc == "" {
			doc = c.fallback
		}
		if doc == "" {
			return nil, s3Error(http.StatusNotFound, c.missingCode, "%s", c.missingMsg)
		}
		ct := "application/xml"
		if c.root == "" {
			ct = "application/json"
		} else if !strings.HasPrefix(doc, "<?xml") {
			doc = xml.Header + doc
		}
		return &configOut{ContentType: ct, Body: []byte(doc)}, nil
	}
}

func (s *Service) deleteConfigOp(c bucketConfig) func(context.Context, *bucketIn) (*struct{}, error) {
	return func(_ context.Context, in *bucketIn) (*struct{}, error) {
		err := s.cfg.Store.Update(func(tx store.Tx) error {
			b, err := s.bucket(tx, in.Bucket)
			if err != nil {
				return err
			}
			delete(b.Configs, c.query)
			return putJSON(tx, bucketsTable, []byte(in.Bucket), b)
		})
		return nil, err
	}
}
