package provision

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
)

// BucketAPI is the part of *s3.Service the S3 providers call.
type BucketAPI interface {
	CreateBucket(ctx context.Context, name string) error
	DeleteBucket(ctx context.Context, name string) error
	PutBucketConfig(ctx context.Context, bucket, kind string, doc []byte) error
	BucketConfig(ctx context.Context, bucket, kind string) ([]byte, error)
}

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

func bucketSpec(api BucketAPI) Spec {
	s := Spec{
		Type: "AWS::S3::Bucket", NameProperty: "BucketName",
		// Website, notification, replication, logging, CORS, inventory,
		// analytics, object lock and the rest are not modelled.
		Properties: []string{"BucketEncryption", "BucketName", "LifecycleConfiguration", "OwnershipControls",
			"PublicAccessBlockConfiguration", "Tags", "VersioningConfiguration"},
		Replacement: []string{"BucketName", "ObjectLockEnabled"},
		Attributes: []string{"Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL",
			"MetadataTableConfiguration.S3TablesDestination.TableArn", "MetadataTableConfiguration.S3TablesDestination.TableNamespace"},
	}
	if api != nil {
		s.Provider = bucketProvider{api: api}
	}
	return s
}

type bucketProvider struct{ api BucketAPI }

// xmlWriter renders CloudFormation property objects as S3's XML.
type xmlWriter struct{ b bytes.Buffer }

// element writes v as <name>: objects as child elements (keys renamed by
// rename, in the given order first), lists as repeated elements.
func (w *xmlWriter) element(name string, v any, rename map[string]string) {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			w.element(name, e, rename)
		}
	case map[string]any:
		w.b.WriteString("<" + name + ">")
		for _, k := range sortedKeys(t) {
			child := k
			if r, ok := rename[k]; ok {
				child = r
			}
			w.element(child, t[k], rename)
		}
		w.b.WriteString("</" + name + ">")
	default:
		s, _ := template.String(v)
		w.b.WriteString("<" + name + ">")
		_ = xml.EscapeText(&w.b, []byte(s))
		w.b.WriteString("</" + name + ">")
	}
}

// document wraps children in a namespaced root element.
func document(root string, body func(w *xmlWriter)) []byte {
	w := &xmlWriter{}
	w.b.WriteString(`<` + root + ` xmlns="` + s3Namespace + `">`)
	body(w)
	w.b.WriteString(`</` + root + `>`)
	return w.b.Bytes()
}

// bucketConfigs renders the bucket's configuration properties as the
// documents the S3 Put*Configuration calls take, by subresource.
func bucketConfigs(props map[string]any, tags map[string]string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if v := object(props["BucketEncryption"]); v != nil {
		if err := checkKeys(v, "BucketEncryption", "ServerSideEncryptionConfiguration"); err != nil {
			return nil, err
		}
		rules, err := objectList(v["ServerSideEncryptionConfiguration"], "BucketEncryption.ServerSideEncryptionConfiguration")
		if err != nil {
			return nil, err
		}
		out["encryption"] = document("ServerSideEncryptionConfiguration", func(w *xmlWriter) {
			for _, r := range rules {
				w.element("Rule", r, map[string]string{"ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault"})
			}
		})
	}
	if v := object(props["PublicAccessBlockConfiguration"]); v != nil {
		if err := checkKeys(v, "PublicAccessBlockConfiguration", "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"); err != nil {
			return nil, err
		}
		out["publicAccessBlock"] = document("PublicAccessBlockConfiguration", func(w *xmlWriter) {
			for _, k := range sortedKeys(v) {
				w.element(k, v[k], nil)
			}
		})
	}
	if v := object(props["OwnershipControls"]); v != nil {
		if err := checkKeys(v, "OwnershipControls", "Rules"); err != nil {
			return nil, err
		}
		out["ownershipControls"] = document("OwnershipControls", func(w *xmlWriter) { w.element("Rule", v["Rules"], nil) })
	}
	if v := object(props["VersioningConfiguration"]); v != nil {
		if err := checkKeys(v, "VersioningConfiguration", "Status"); err != nil {
			return nil, err
		}
		out["versioning"] = document("VersioningConfiguration", func(w *xmlWriter) { w.element("Status", v["Status"], nil) })
	}
	if v := object(props["LifecycleConfiguration"]); v != nil {
		if err := checkKeys(v, "LifecycleConfiguration", "Rules"); err != nil {
			return nil, err
		}
		rules, err := objectList(v["Rules"], "LifecycleConfiguration.Rules")
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			if err := checkKeys(r, "LifecycleConfiguration.Rules", "AbortIncompleteMultipartUpload", "ExpirationInDays", "Id",
				"NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays", "Prefix", "Status"); err != nil {
				return nil, err
			}
		}
		out["lifecycle"] = document("LifecycleConfiguration", func(w *xmlWriter) {
			for _, r := range rules {
				w.b.WriteString("<Rule>")
				if id, ok := r["Id"]; ok {
					w.element("ID", id, nil)
				}
				w.b.WriteString("<Filter>")
				if p, ok := r["Prefix"]; ok {
					w.element("Prefix", p, nil)
				}
				w.b.WriteString("</Filter>")
				w.element("Status", r["Status"], nil)
				if d, ok := r["ExpirationInDays"]; ok {
					w.element("Expiration", map[string]any{"Days": d}, nil)
				}
				if d, ok := r["NoncurrentVersionExpirationInDays"]; ok {
					w.element("NoncurrentVersionExpiration", map[string]any{"NoncurrentDays": d}, nil)
				}
				for _, k := range []string{"NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"} {
					if x, ok := r[k]; ok {
						w.element(k, x, nil)
					}
				}
				w.b.WriteString("</Rule>")
			}
		})
	}
	if len(tags) > 0 {
		out["tagging"] = document("Tagging", func(w *xmlWriter) {
			w.b.WriteString("<TagSet>")
			for _, k := range sortedKeys(tags) {
				w.element("Tag", map[string]any{"Key": k, "Value": tags[k]}, nil)
			}
			w.b.WriteString("</TagSet>")
		})
	}
	return out, nil
}

func (p bucketProvider) result(req *Request, name string) Result {
	return Result{PhysicalID: name, Attributes: map[string]any{
		"Arn":                 "arn:aws:s3:::" + name,
		"DomainName":          name + ".s3.amazonaws.com",
		"DualStackDomainName": name + ".s3.dualstack." + req.Region + ".amazonaws.com",
		"RegionalDomainName":  name + ".s3." + req.Region + ".amazonaws.com",
		"WebsiteURL":          "http://" + name + ".s3-website-" + req.Region + ".amazonaws.com",
	}}
}

func (p bucketProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "BucketName")
	if name == "" {
		name = strings.ToLower(PhysicalName(req, 63))
	}
	docs, err := bucketConfigs(req.Properties, req.Tags())
	if err != nil {
		return Result{}, err
	}
	// S3 in us-east-1 answers 200 to creating a bucket one already owns;
	// CloudFormation still refuses to adopt it.
	if _, err := p.api.BucketConfig(ctx, name, "policy"); err == nil {
		return Result{}, fmt.Errorf("%s already exists", name)
	}
	if err := p.api.CreateBucket(ctx, name); err != nil {
		return Result{}, apiMessage("S3", err)
	}
	for _, kind := range sortedKeys(docs) {
		if err := p.api.PutBucketConfig(ctx, name, kind, docs[kind]); err != nil {
			_ = p.api.DeleteBucket(ctx, name)
			return Result{}, apiMessage("S3", err)
		}
	}
	return p.result(req, name), nil
}

func (p bucketProvider) Update(ctx context.Context, req *Request) (Result, error) {
	docs, err := bucketConfigs(req.Properties, req.Tags())
	if err != nil {
		return Result{}, err
	}
	oldDocs, err := bucketConfigs(req.OldProperties, mergeTags(req.OldStackTags, tagMap(req.OldProperties["Tags"])))
	if err != nil {
		return Result{}, err
	}
	for _, kind := range sortedKeys(docs) {
		if !bytes.Equal(docs[kind], oldDocs[kind]) {
			if err := p.api.PutBucketConfig(ctx, req.PhysicalID, kind, docs[kind]); err != nil {
				return Result{}, apiMessage("S3", err)
			}
		}
	}
	for kind := range oldDocs {
		if _, ok := docs[kind]; !ok {
			return Result{}, fmt.Errorf("localcloud cannot remove a bucket's %s configuration in place yet", kind)
		}
	}
	return p.result(req, req.PhysicalID), nil
}

func (p bucketProvider) Delete(ctx context.Context, req *Request) error {
	if err := p.api.DeleteBucket(ctx, req.PhysicalID); err != nil && !isCode(err, "NoSuchBucket") {
		return apiMessage("S3", err)
	}
	return nil
}

func bucketPolicySpec(api BucketAPI) Spec {
	s := Spec{Type: "AWS::S3::BucketPolicy", Properties: []string{"Bucket", "PolicyDocument"}, Replacement: []string{"Bucket"}}
	if api != nil {
		s.Provider = bucketPolicyProvider{api: api}
	}
	return s
}

type bucketPolicyProvider struct{ api BucketAPI }

func (p bucketPolicyProvider) put(ctx context.Context, req *Request) (Result, error) {
	bucket := str(req.Properties, "Bucket")
	if bucket == "" {
		return Result{}, errors.New("Properties validation failed: #: required key [Bucket] not found")
	}
	doc, err := scalarOrJSON(req.Properties["PolicyDocument"])
	if err != nil {
		return Result{}, err
	}
	if err := p.api.PutBucketConfig(ctx, bucket, "policy", []byte(doc)); err != nil {
		return Result{}, apiMessage("S3", err)
	}
	return Result{PhysicalID: bucket}, nil
}

func (p bucketPolicyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	return p.put(ctx, req)
}

func (p bucketPolicyProvider) Update(ctx context.Context, req *Request) (Result, error) {
	return p.put(ctx, req)
}

// Delete leaves a policy without statements: the s3 package has no
// in-process DeleteBucketPolicy, and an empty policy allows and denies
// nothing, which is what no policy means for authorization.
func (p bucketPolicyProvider) Delete(ctx context.Context, req *Request) error {
	err := p.api.PutBucketConfig(ctx, req.PhysicalID, "policy", []byte(`{"Version":"2012-10-17","Statement":[]}`))
	if err != nil && !isCode(err, "NoSuchBucket") {
		return apiMessage("S3", err)
	}
	return nil
}
