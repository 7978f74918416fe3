package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

type listObjectsIn struct {
	Bucket            string `location:"uri"`
	Prefix            string `location:"querystring" locationName:"prefix"`
	Delimiter         string `location:"querystring" locationName:"delimiter"`
	MaxKeys           string `location:"querystring" locationName:"max-keys"`
	EncodingType      string `location:"querystring" locationName:"encoding-type"`
	ContinuationToken string `location:"querystring" locationName:"continuation-token"`
	StartAfter        string `location:"querystring" locationName:"start-after"`
	FetchOwner        string `location:"querystring" locationName:"fetch-owner"`
	Marker            string `location:"querystring" locationName:"marker"`
}

type objectEntry struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	Owner             *owner `xml:"Owner,omitempty"`
	StorageClass      string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listObjectsV2Out struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	IsTruncated           bool           `xml:"IsTruncated"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	Contents              []objectEntry  `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type listObjectsV1Out struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	Xmlns          string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	Contents       []objectEntry  `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

// listing is one page of keys and common prefixes after a position.
type listing struct {
	entries   []objectEntry
	prefixes  []string
	truncated bool
	// last is the last key or common prefix on the page.
	last string
}

func parseMaxKeys(s string) (int, error) {
	if s == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, invalidArgument("Provided max-keys not an integer or within integer range")
	}
	return min(n, 1000), nil
}

// list pages through bucket's keys under prefix strictly after `after`,
// grouping keys that contain delimiter after the prefix.
func (s *Service) list(bucket, prefix, delimiter, after string, maxKeys int, owner *owner) (listing, error) {
	var l listing
	err := s.cfg.Store.View(func(tx store.Tx) error {
		if _, err := s.bucket(tx, bucket); err != nil {
			return err
		}
		base := len(bucket) + 1
		count := 0
		afterIsPrefix := delimiter != "" && strings.HasPrefix(after, prefix) && strings.HasSuffix(after, delimiter) &&
			strings.Contains(after[len(prefix):], delimiter)
		err := tx.ForEach(objectsTable, objectKey(bucket, prefix), func(k, v []byte) error {
			key := string(k[base:])
			if key <= after {
				return nil
			}
			if afterIsPrefix && strings.HasPrefix(key, after) {
				return nil
			}
			if delimiter != "" {
				if i := strings.Index(key[len(prefix):], delimiter); i >= 0 {
					cp := key[:len(prefix)+i+len(delimiter)]
					if len(l.prefixes) > 0 && l.prefixes[len(l.prefixes)-1] == cp {
						return nil
					}
					if count == maxKeys {
						l.truncated = true
						return errStopIteration
					}
					l.prefixes = append(l.prefixes, cp)
					l.last = cp
					count++
					return nil
				}
			}
			if count == maxKeys {
				l.truncated = true
				return errStopIteration
			}
			var rec objectRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			e := objectEntry{Key: key, LastModified: isoTime(rec.LastModified), ETag: rec.ETag, Size: rec.Size,
				StorageClass: "STANDARD", Owner: owner, ChecksumType: rec.ChecksumType}
			algs := make([]string, 0, len(rec.Checksums))
			for a := range rec.Checksums {
				algs = append(algs, strings.ToUpper(a))
			}
			sort.Strings(algs)
			if len(algs) > 0 {
				e.ChecksumAlgorithm = algs[0]
			}
			l.entries = append(l.entries, e)
			l.last = key
			count++
			return nil
		})
		if errors.Is(err, errStopIteration) {
			return nil
		}
		return err
	})
	return l, err
}

// encodeKey applies encoding-type=url as S3 does (form encoding, slashes
// kept), which botocore undoes with unquote_plus.
func encodeKey(s string, enc bool) string {
	if !enc {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

func checkEncoding(enc string) (bool, error) {
	switch enc {
	case "":
		return false, nil
	case "url":
		return true, nil
	}
	return false, invalidArgument("Invalid Encoding Method specified in Request")
}

func (s *Service) listObjectsV2(_ context.Context, in *listObjectsIn) (*listObjectsV2Out, error) {
	maxKeys, err := parseMaxKeys(in.MaxKeys)
	if err != nil {
		return nil, err
	}
	enc, err := checkEncoding(in.EncodingType)
	if err != nil {
		return nil, err
	}
	after := in.StartAfter
	if in.ContinuationToken != "" {
		b, derr := base64.RawURLEncoding.DecodeString(in.ContinuationToken)
		if derr != nil {
			return nil, invalidArgument("The continuation token provided is incorrect")
		}
		after = string(b)
	}
	var own *owner
	if in.FetchOwner == "true" {
		o := s.owner()
		own = &o
	}
	l, err := s.list(in.Bucket, in.Prefix, in.Delimiter, after, maxKeys, own)
	if err != nil {
		return nil, err
	}
	out := &listObjectsV2Out{Xmlns: xmlns, Name: in.Bucket, Prefix: encodeKey(in.Prefix, enc), Delimiter: encodeKey(in.Delimiter, enc),
		MaxKeys: maxKeys, EncodingType: in.EncodingType, KeyCount: len(l.entries) + len(l.prefixes), IsTruncated: l.truncated,
		ContinuationToken: in.ContinuationToken, StartAfter: encodeKey(in.StartAfter, enc), Contents: l.entries}
	if l.truncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(l.last))
	}
	for i := range out.Contents {
		out.Contents[i].Key = encodeKey(out.Contents[i].Key, enc)
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: encodeKey(p, enc)})
	}
	return out, nil
}

func (s *Service) listObjects(_ context.Context, in *listObjectsIn) (*listObjectsV1Out, error) {
	maxKeys, err := parseMaxKeys(in.MaxKeys)
	if err != nil {
		return nil, err
	}
	enc, err := checkEncoding(in.EncodingType)
	if err != nil {
		return nil, err
	}
	o := s.owner()
	l, err := s.list(in.Bucket, in.Prefix, in.Delimiter, in.Marker, maxKeys, &o)
	if err != nil {
		return nil, err
	}
	out := &listObjectsV1Out{Xmlns: xmlns, Name: in.Bucket, Prefix: encodeKey(in.Prefix, enc), Marker: encodeKey(in.Marker, enc),
		Delimiter: encodeKey(in.Delimiter, enc), MaxKeys: maxKeys, EncodingType: in.EncodingType, IsTruncated: l.truncated, Contents: l.entries}
	if l.truncated && in.Delimiter != "" {
		out.NextMarker = encodeKey(l.last, enc)
	}
	for i := range out.Contents {
		out.Contents[i].Key = encodeKey(out.Contents[i].Key, enc)
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: encodeKey(p, enc)})
	}
	return out, nil
}
