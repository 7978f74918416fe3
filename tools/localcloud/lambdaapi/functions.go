package lambdaapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/code"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// maxZipBytes is Lambda's limit for a zip uploaded directly.
const maxZipBytes = 50 * 1024 * 1024

// configuration reports version v of r as Lambda does.
func (s *Service) configuration(r *functionRecord, v *versionRecord) FunctionConfiguration {
	qual := ""
	if v.Version != latest {
		qual = v.Version
	}
	c := FunctionConfiguration{
		FunctionName: r.Name, FunctionArn: s.functionARN(r.Name, qual), Runtime: v.Runtime, Role: v.Role, Handler: v.Handler,
		CodeSize: v.CodeSize, Description: v.Description, Timeout: v.Timeout, MemorySize: v.MemorySize,
		LastModified: v.LastModified, CodeSha256: v.CodeSha256, Version: v.Version, RevisionID: v.RevisionID,
		State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip", Architectures: slices.Clone(v.Architectures),
		EphemeralStorage: EphemeralStorage{Size: v.EphemeralStorage}, TracingConfig: TracingConfig{Mode: v.Tracing},
		LoggingConfig: v.Logging,
	}
	if c.LoggingConfig.LogGroup == "" {
		c.LoggingConfig.LogGroup = "/aws/lambda/" + r.Name
	}
	if c.LoggingConfig.LogFormat == "" {
		c.LoggingConfig.LogFormat = "Text"
	}
	if len(v.Environment) > 0 {
		c.Environment = &EnvironmentResponse{Variables: maps.Clone(v.Environment)}
	}
	if v.DeadLetterTarget != "" {
		c.DeadLetterConfig = &DeadLetterConfig{TargetArn: v.DeadLetterTarget}
	}
	return c
}

// loadCode returns a deployment package's bytes from the request.
func (s *Service) loadCode(ctx context.Context, zip []byte, bucket, key, image string) ([]byte, error) {
	switch {
	case image != "":
		return nil, errInvalidParameter("localcloud runs Zip functions only; container images (ImageUri) are not supported.")
	case len(zip) > 0 && bucket != "":
		return nil, errInvalidParameter("Please provide a source for function code.")
	case len(zip) > 0:
		if len(zip) > maxZipBytes {
			return nil, lambdaError("RequestEntityTooLargeException", 413, "Request must be smaller than %d bytes for the CreateFunction operation", maxZipBytes)
		}
		return zip, nil
	case bucket != "" && key != "":
		return s.readS3(ctx, bucket, key)
	}
	return nil, errInvalidParameter("Please provide a source for function code.")
}

// readS3 fetches a deployment package from S3, answering S3's failures
// as Lambda words them. (S3ObjectVersion is ignored: localcloud's S3 keeps
// no versions.)
func (s *Service) readS3(ctx context.Context, bucket, key string) ([]byte, error) {
	if s.cfg.S3 == nil {
		return nil, errInvalidParameter("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
	}
	s3Failure := func(err error) error {
		code, msg := "InternalError", err.Error()
		var pe *protocol.Error
		if errors.As(err, &pe) {
			code, msg = pe.Code, pe.Message
		}
		return errInvalidParameter("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code, msg)
	}
	body, info, err := s.cfg.S3.GetObject(ctx, bucket, key)
	if err != nil {
		return nil, s3Failure(err)
	}
	defer body.Close()
	if info.Size > maxZipBytes*5 {
		return nil, errInvalidParameter("Unzipped size must be smaller than %d bytes", code.MaxUnzippedBytes)
	}
	data, err := io.ReadAll(io.LimitReader(body, maxZipBytes*5+1))
	if err != nil {
		return nil, s3Failure(err)
	}
	return data, nil
}

// setCode saves data as v's code.
func (s *Service) setCode(v *versionRecord, data []byte) error {
	sum := sha256.Sum256(data)
	v.CodeFile = hex.EncodeToString(sum[:])
	v.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	v.CodeSize = int64(len(data))
	return s.saveZip(v.CodeFile, data)
}

// deployChecked deploys v, turning code problems into Lambda's errors.
func (s *Service) deployChecked(ctx context.Context, r *functionRecord, v *versionRecord) error {
	if err := s.deploy(ctx, r, v); err != nil {
		if errors.Is(err, code.ErrInvalidCode) {
			return errInvalidParameter("%v", err)
		}
		return errInternal("deploy", err)
	}
	return nil
}

// checkRole verifies that the role exists, trusts Lambda and may be passed
// by the caller.
func (s *Service) checkRole(ctx context.Context, fn, role string) error {
	if err := s.authorize(ctx, "iam:PassRole", role, ""); err != nil {
		return err
	}
	if s.cfg.IAM == nil {
		return nil
	}
	if _, err := s.creds.refresh(ctx, role, fn); err != nil {
		var denied *iamapi.DeniedError
		if errors.Is(err, iamapi.ErrNoSuchRole) || errors.As(err, &denied) {
			return errInvalidParameter("The role defined for the function cannot be assumed by Lambda.")
		}
		return errInternal("assume role", err)
	}
	return nil
}

// optionalSettings are the members CreateFunction and
// UpdateFunctionConfiguration both take; nil keeps the current value.
type optionalSettings struct {
	timeout, memory *int
	env             *Environment
	logging         *LoggingConfig
	tracing         *TracingConfig
	storage         *EphemeralStorage
	deadLetter      *DeadLetterConfig
}

func (o optionalSettings) apply(v *versionRecord) {
	if o.timeout != nil {
		v.Timeout = *o.timeout
	}
	if o.memory != nil {
		v.MemorySize = *o.memory
	}
	if o.env != nil {
		v.Environment = o.env.Variables
	}
	if o.logging != nil {
		v.Logging = *o.logging
	}
	if o.tracing != nil {
		v.Tracing = o.tracing.Mode
	}
	if o.storage != nil {
		v.EphemeralStorage = o.storage.Size
	}
	if o.deadLetter != nil {
		v.DeadLetterTarget = o.deadLetter.TargetArn
	}
}

// CreateFunction creates a function from a zip (inline or in S3).
func (s *Service) CreateFunction(ctx context.Context, in *CreateFunctionInput) (*FunctionConfiguration, error) {
	name, qual, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if qual != "" {
		return nil, errInvalidParameter("Unsupported qualifier: %s", qual)
	}
	if err := s.authorize(ctx, "lambda:CreateFunction", s.functionARN(name, ""), ""); err != nil {
		return nil, err
	}
	if in.PackageType != "" && in.PackageType != "Zip" {
		return nil, errInvalidParameter("localcloud runs Zip functions only; PackageType %s is not supported.", in.PackageType)
	}
	if len(in.Layers) > 0 {
		return nil, errInvalidParameter("localcloud does not support layers.")
	}
	if in.Runtime == "" {
		return nil, errInvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	v := versionRecord{Version: latest, Description: in.Description, Role: in.Role, Handler: in.Handler, Runtime: in.Runtime,
		Timeout: 3, MemorySize: 128, Architectures: in.Architectures, EphemeralStorage: 512}
	if len(v.Architectures) == 0 {
		v.Architectures = []string{"x86_64"}
	}
	optionalSettings{in.Timeout, in.MemorySize, in.Environment, in.LoggingConfig, in.TracingConfig, in.EphemeralStorage,
		in.DeadLetterConfig}.apply(&v)
	if err := checkSettings(&v); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.RLock()
	_, exists := s.funcs[name]
	s.mu.RUnlock()
	if exists {
		return nil, errConflict("Function already exist: %s", name)
	}
	if in.Code == nil {
		return nil, errInvalidParameter("Please provide a source for function code.")
	}
	data, err := s.loadCode(ctx, in.Code.ZipFile, in.Code.S3Bucket, in.Code.S3Key, in.Code.ImageURI)
	if err != nil {
		return nil, err
	}
	if err := s.checkRole(ctx, name, v.Role); err != nil {
		return nil, err
	}
	if err := s.setCode(&v, data); err != nil {
		return nil, errInternal("save code", err)
	}
	v.LastModified, v.RevisionID = s.now(), s.cfg.IDs.UUID()
	r := &functionRecord{Name: name, Latest: v, Tags: in.Tags}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.funcs[name]; exists {
		return nil, errConflict("Function already exist: %s", name)
	}
	if err := s.deployChecked(ctx, r, &r.Latest); err != nil {
		s.engine.Remove(name, latest)
		return nil, err
	}
	out := &r.Latest
	if in.Publish {
		out = s.publishLocked(r, "")
		if err := s.deployChecked(ctx, r, out); err != nil {
			s.engine.Remove(name, latest)
			return nil, err
		}
	}
	if err := s.put(r); err != nil {
		s.engine.Remove(name, latest)
		if out.Version != latest {
			s.engine.Remove(name, out.Version)
		}
		return nil, err
	}
	c := s.configuration(r, out)
	// Lambda answers before the function is ready; the next read says Active.
	c.State, c.StateReason, c.StateReasonCode = "Pending", "The function is being created.", "Creating"
	c.LastUpdateStatus = ""
	return &c, nil
}

// publishLocked appends a new numbered version copied from $LATEST.
func (s *Service) publishLocked(r *functionRecord, description string) *versionRecord {
	r.LastNum++
	v := r.Latest
	v.Version = strconv.Itoa(r.LastNum)
	v.Architectures = slices.Clone(v.Architectures)
	v.Environment = maps.Clone(v.Environment)
	if description != "" {
		v.Description = description
	}
	v.LastModified, v.RevisionID = s.now(), s.cfg.IDs.UUID()
	r.Versions = append(r.Versions, v)
	return &r.Versions[len(r.Versions)-1]
}

// lookup finds a function and the version a qualifier (version or alias)
// names; the caller holds s.mu.
func (s *Service) lookupLocked(name, qual string) (*functionRecord, *versionRecord, error) {
	r := s.funcs[name]
	if r == nil {
		return nil, nil, errFunctionNotFound(s.functionARN(name, qual))
	}
	if a, ok := r.Aliases[qual]; ok && qual != "" {
		v, ok := r.version(a.FunctionVersion)
		if !ok {
			return nil, nil, errFunctionNotFound(s.functionARN(name, qual))
		}
		return r, v, nil
	}
	v, ok := r.version(qual)
	if !ok {
		return nil, nil, errFunctionNotFound(s.functionARN(name, qual))
	}
	return r, v, nil
}

// GetFunctionConfiguration returns a version's configuration.
func (s *Service) GetFunctionConfiguration(ctx context.Context, in *FunctionNameInput) (*FunctionConfiguration, error) {
	name, qual, err := s.resolveFor(ctx, "lambda:GetFunctionConfiguration", in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, v, err := s.lookupLocked(name, qual)
	if err != nil {
		return nil, err
	}
	c := s.configuration(r, v)
	return &c, nil
}

// GetFunction returns a version's configuration, code location, tags and
// reserved concurrency.
func (s *Service) GetFunction(ctx context.Context, in *FunctionNameInput) (*GetFunctionOutput, error) {
	name, qual, err := s.resolveFor(ctx, "lambda:GetFunction", in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, v, err := s.lookupLocked(name, qual)
	if err != nil {
		return nil, err
	}
	out := &GetFunctionOutput{Configuration: s.configuration(r, v), Code: FunctionCodeLocation{RepositoryType: "S3"},
		Tags: maps.Clone(r.Tags)}
	if r.Reserved != nil {
		n := *r.Reserved
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: &n}
	}
	return out, nil
}

// ListFunctions lists functions by name ($LATEST, or every version with
// FunctionVersion ALL).
func (s *Service) ListFunctions(ctx context.Context, in *ListFunctionsInput) (*ListFunctionsOutput, error) {
	if in.FunctionVersion != "" && in.FunctionVersion != "ALL" {
		return nil, errValidation(in.FunctionVersion, "functionVersion", "Member must satisfy enum value set: [ALL]")
	}
	if err := s.authorize(ctx, "lambda:ListFunctions", "*", ""); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := slices.Sorted(maps.Keys(s.funcs))
	var all []FunctionConfiguration
	for _, n := range names {
		r := s.funcs[n]
		all = append(all, s.configuration(r, &r.Latest))
		if in.FunctionVersion == "ALL" {
			for i := range r.Versions {
				all = append(all, s.configuration(r, &r.Versions[i]))
			}
		}
	}
	from, to, next, err := page(len(all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListFunctionsOutput{Functions: append([]FunctionConfiguration{}, all[from:to]...), NextMarker: next}, nil
}

// modify applies fn to a copy of a function's record under the write
// lock, then stores it; fn's error leaves the function untouched.
func (s *Service) modify(name string, fn func(r *functionRecord) error) (*functionRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.funcs[name]
	if cur == nil {
		return nil, errFunctionNotFound(s.functionARN(name, ""))
	}
	r := cur.clone()
	if err := fn(r); err != nil {
		return nil, err
	}
	if err := s.put(r); err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateFunctionCode replaces $LATEST's code (and publishes a version
// with Publish).
func (s *Service) UpdateFunctionCode(ctx context.Context, in *UpdateFunctionCodeInput) (*FunctionConfiguration, error) {
	name, err := s.resolveUnqualifiedFor(ctx, "lambda:UpdateFunctionCode", in.FunctionName)
	if err != nil {
		return nil, err
	}
	data, err := s.loadCode(ctx, in.ZipFile, in.S3Bucket, in.S3Key, in.ImageURI)
	if err != nil {
		return nil, err
	}
	var out *versionRecord
	r, err := s.modify(name, func(r *functionRecord) error {
		if in.RevisionID != "" && in.RevisionID != r.Latest.RevisionID {
			return errPrecondition()
		}
		v := r.Latest
		if len(in.Architectures) > 0 {
			v.Architectures = in.Architectures
			if err := checkSettings(&v); err != nil {
				return err
			}
		}
		if err := s.setCode(&v, data); err != nil {
			return errInternal("save code", err)
		}
		if in.DryRun {
			out = &v
			return errDryRun
		}
		v.LastModified, v.RevisionID = s.now(), s.cfg.IDs.UUID()
		r.Latest = v
		if err := s.deployChecked(ctx, r, &r.Latest); err != nil {
			return err
		}
		out = &r.Latest
		if in.Publish {
			out = s.publishLocked(r, "")
			return s.deployChecked(ctx, r, out)
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		s.mu.RLock()
		r = s.funcs[name]
		s.mu.RUnlock()
		c := s.configuration(r, out)
		return &c, nil
	}
	if err != nil {
		return nil, err
	}
	c := s.configuration(r, out)
	c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "InProgress", "The function is being created.", "Creating"
	return &c, nil
}

var errDryRun = errors.New("dry run")

// UpdateFunctionConfiguration changes $LATEST's settings; running
// environments finish and new ones start with the new settings.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *UpdateFunctionConfigurationInput) (*FunctionConfiguration, error) {
	name, err := s.resolveUnqualifiedFor(ctx, "lambda:UpdateFunctionConfiguration", in.FunctionName)
	if err != nil {
		return nil, err
	}
	if len(in.Layers) > 0 {
		return nil, errInvalidParameter("localcloud does not support layers.")
	}
	if in.Role != nil {
		if err := s.checkRole(ctx, name, *in.Role); err != nil {
			return nil, err
		}
	}
	r, err := s.modify(name, func(r *functionRecord) error {
		if in.RevisionID != "" && in.RevisionID != r.Latest.RevisionID {
			return errPrecondition()
		}
		v := r.Latest
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&v.Role, in.Role)
		set(&v.Handler, in.Handler)
		set(&v.Description, in.Description)
		set(&v.Runtime, in.Runtime)
		optionalSettings{in.Timeout, in.MemorySize, in.Environment, in.LoggingConfig, in.TracingConfig, in.EphemeralStorage,
			in.DeadLetterConfig}.apply(&v)
		if err := checkSettings(&v); err != nil {
			return err
		}
		v.LastModified, v.RevisionID = s.now(), s.cfg.IDs.UUID()
		r.Latest = v
		return s.deployChecked(ctx, r, &r.Latest)
	})
	if err != nil {
		return nil, err
	}
	c := s.configuration(r, &r.Latest)
	c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "InProgress", "The function is being created.", "Creating"
	return &c, nil
}

// DeleteFunction deletes a function with all its versions and aliases, or
// one published version.
func (s *Service) DeleteFunction(ctx context.Context, in *FunctionNameInput) (*StatusOutput, error) {
	name, qual, err := s.resolveFor(ctx, "lambda:DeleteFunction", in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if qual == latest {
		return nil, errInvalidParameter("$LATEST version cannot be deleted without deleting the function.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.funcs[name]
	if cur == nil {
		return nil, errFunctionNotFound(s.functionARN(name, qual))
	}
	if qual != "" {
		if _, ok := cur.version(qual); !ok {
			return nil, errFunctionNotFound(s.functionARN(name, qual))
		}
		for _, a := range cur.Aliases {
			if a.FunctionVersion == qual {
				return nil, errConflict("Unable to delete version because the following aliases reference it: [%s]", a.Name)
			}
		}
		r := cur.clone()
		r.Versions = slices.DeleteFunc(r.Versions, func(v versionRecord) bool { return v.Version == qual })
		delete(r.Policy, qual)
		if err := s.put(r); err != nil {
			return nil, err
		}
		s.engine.Remove(name, qual)
		return &StatusOutput{StatusCode: 204}, nil
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketFunctions, []byte(name)) }); err != nil {
		return nil, errInternal("delete function", err)
	}
	delete(s.funcs, name)
	s.tail.route(name, "")
	s.engine.Remove(name, latest)
	for _, v := range cur.Versions {
		s.engine.Remove(name, v.Version)
	}
	s.creds.forget(name)
	return &StatusOutput{StatusCode: 204}, nil
}

// PublishVersion publishes $LATEST as the next numbered version, or
// returns the newest version when nothing changed since.
func (s *Service) PublishVersion(ctx context.Context, in *PublishVersionInput) (*FunctionConfiguration, error) {
	name, err := s.resolveUnqualifiedFor(ctx, "lambda:PublishVersion", in.FunctionName)
	if err != nil {
		return nil, err
	}
	var out *versionRecord
	r, err := s.modify(name, func(r *functionRecord) error {
		if in.RevisionID != "" && in.RevisionID != r.Latest.RevisionID {
			return errPrecondition()
		}
		if in.CodeSha256 != "" && in.CodeSha256 != r.Latest.CodeSha256 {
			return errInvalidParameter("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, r.Latest.CodeSha256)
		}
		if n := len(r.Versions); n > 0 && sameVersion(&r.Versions[n-1], &r.Latest) {
			out = &r.Versions[n-1]
			return nil
		}
		out = s.publishLocked(r, in.Description)
		return s.deployChecked(ctx, r, out)
	})
	if err != nil {
		return nil, err
	}
	c := s.configuration(r, out)
	return &c, nil
}

// sameVersion reports whether published version p has $LATEST's code and
// configuration, in which case Lambda publishes nothing new.
func sameVersion(p, l *versionRecord) bool {
	return p.CodeSha256 == l.CodeSha256 && p.Role == l.Role && p.Handler == l.Handler && p.Runtime == l.Runtime &&
		p.Timeout == l.Timeout && p.MemorySize == l.MemorySize && maps.Equal(p.Environment, l.Environment) &&
		slices.Equal(p.Architectures, l.Architectures) && p.Logging == l.Logging && p.EphemeralStorage == l.EphemeralStorage
}

// ListVersionsByFunction lists $LATEST and the published versions.
func (s *Service) ListVersionsByFunction(ctx context.Context, in *ListVersionsInput) (*ListVersionsOutput, error) {
	name, err := s.resolveUnqualifiedFor(ctx, "lambda:ListVersionsByFunction", in.FunctionName)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.funcs[name]
	if r == nil {
		return nil, errFunctionNotFound(s.functionARN(name, ""))
	}
	all := []FunctionConfiguration{s.configuration(r, &r.Latest)}
	for i := range r.Versions {
		all = append(all, s.configuration(r, &r.Versions[i]))
	}
	from, to, next, err := page(len(all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListVersionsOutput{Versions: all[from:to], NextMarker: next}, nil
}

// GetAccountSettings reports the account's limits and usage.
func (s *Service) GetAccountSettings(ctx context.Context, _ *Empty) (*AccountSettingsOutput, error) {
	if err := s.authorize(ctx, "lambda:GetAccountSettings", "*", ""); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &AccountSettingsOutput{AccountLimit: AccountLimit{TotalCodeSize: 80 << 30, CodeSizeUnzipped: code.MaxUnzippedBytes,
		CodeSizeZipped: maxZipBytes, ConcurrentExecutions: s.maxConcurrency()}}
	reserved := 0
	for _, r := range s.funcs {
		out.AccountUsage.FunctionCount++
		out.AccountUsage.TotalCodeSize += r.Latest.CodeSize
		for _, v := range r.Versions {
			out.AccountUsage.TotalCodeSize += v.CodeSize
		}
		if r.Reserved != nil {
			reserved += *r.Reserved
		}
	}
	out.AccountLimit.UnreservedConcurrentExecutions = out.AccountLimit.ConcurrentExecutions - reserved
	return out, nil
}

func (s *Service) maxConcurrency() int {
	if s.cfg.Engine.MaxConcurrency > 0 {
		return s.cfg.Engine.MaxConcurrency
	}
	return 100
}

// checkTags validates tags as Lambda does.
func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errInvalidParameter("Number of tags exceeds resource tag limit.")
	}
	for k, v := range tags {
		if len(k) < 1 || len(k) > 128 || len(v) > 256 {
			return errInvalidParameter("Tag key or value is invalid: %s", k)
		}
	}
	return nil
}
