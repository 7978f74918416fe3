package provision

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
)

// FunctionAPI is the part of *lambdaapi.Service the Lambda providers call.
type FunctionAPI interface {
	CreateFunction(ctx context.Context, in *lambdaapi.CreateFunctionInput) (*lambdaapi.FunctionConfiguration, error)
	UpdateFunctionCode(ctx context.Context, in *lambdaapi.UpdateFunctionCodeInput) (*lambdaapi.FunctionConfiguration, error)
	UpdateFunctionConfiguration(ctx context.Context, in *lambdaapi.UpdateFunctionConfigurationInput) (*lambdaapi.FunctionConfiguration, error)
	GetFunctionConfiguration(ctx context.Context, in *lambdaapi.FunctionNameInput) (*lambdaapi.FunctionConfiguration, error)
	DeleteFunction(ctx context.Context, in *lambdaapi.FunctionNameInput) (*lambdaapi.StatusOutput, error)
	PutFunctionConcurrency(ctx context.Context, in *lambdaapi.PutConcurrencyInput) (*lambdaapi.Concurrency, error)
	DeleteFunctionConcurrency(ctx context.Context, in *lambdaapi.FunctionNameInput) (*lambdaapi.StatusOutput, error)
	TagResource(ctx context.Context, in *lambdaapi.TagResourceInput) (*lambdaapi.StatusOutput, error)
	UntagResource(ctx context.Context, in *lambdaapi.UntagResourceInput) (*lambdaapi.StatusOutput, error)
	AddPermission(ctx context.Context, in *lambdaapi.AddPermissionInput) (*lambdaapi.AddPermissionOutput, error)
	RemovePermission(ctx context.Context, in *lambdaapi.RemovePermissionInput) (*lambdaapi.StatusOutput, error)
	CreateEventSourceMapping(ctx context.Context, in *lambdaapi.CreateEventSourceMappingInput) (*lambdaapi.EventSourceMappingConfiguration, error)
	UpdateEventSourceMapping(ctx context.Context, in *lambdaapi.UpdateEventSourceMappingInput) (*lambdaapi.EventSourceMappingConfiguration, error)
	DeleteEventSourceMapping(ctx context.Context, in *lambdaapi.MappingUUIDInput) (*lambdaapi.EventSourceMappingConfiguration, error)
}

func functionSpec(api FunctionAPI) Spec {
	s := Spec{
		Type: "AWS::Lambda::Function", NameProperty: "FunctionName",
		// Container images, VPC, file systems, layers, code signing,
		// SnapStart and KMS are not modelled: such templates are refused
		// as having unsupported properties rather than half-deployed.
		Properties: []string{"Architectures", "Code", "DeadLetterConfig", "Description", "Environment", "EphemeralStorage",
			"FunctionName", "Handler", "LoggingConfig", "MemorySize", "PackageType", "ReservedConcurrentExecutions", "Role",
			"Runtime", "Tags", "Timeout", "TracingConfig"},
		Replacement: []string{"FunctionName", "PackageType"},
		Attributes:  []string{"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"},
	}
	if api != nil {
		s.Provider = functionProvider{api: api}
	}
	return s
}

type functionProvider struct{ api FunctionAPI }

// functionSettings are the settings CreateFunction and
// UpdateFunctionConfiguration share.
type functionSettings struct {
	timeout, memory *int
	env             *lambdaapi.Environment
	logging         *lambdaapi.LoggingConfig
	tracing         *lambdaapi.TracingConfig
	storage         *lambdaapi.EphemeralStorage
	dlq             *lambdaapi.DeadLetterConfig
}

func readFunctionSettings(props map[string]any) (functionSettings, error) {
	var fs functionSettings
	var err error
	if fs.timeout, err = intPtr(props, "Timeout"); err != nil {
		return fs, err
	}
	if fs.memory, err = intPtr(props, "MemorySize"); err != nil {
		return fs, err
	}
	if v, ok := props["Environment"]; ok {
		env := object(v)
		if err := checkKeys(env, "Environment", "Variables"); err != nil {
			return fs, err
		}
		vars, err := stringMap(env["Variables"], "Environment.Variables")
		if err != nil {
			return fs, err
		}
		fs.env = &lambdaapi.Environment{Variables: vars}
	}
	if v, ok := props["LoggingConfig"]; ok {
		lc := object(v)
		if err := checkKeys(lc, "LoggingConfig", "LogGroup", "LogFormat", "ApplicationLogLevel", "SystemLogLevel"); err != nil {
			return fs, err
		}
		fs.logging = &lambdaapi.LoggingConfig{LogGroup: str(lc, "LogGroup"), LogFormat: str(lc, "LogFormat"),
			ApplicationLogLevel: str(lc, "ApplicationLogLevel"), SystemLogLevel: str(lc, "SystemLogLevel")}
	}
	if v, ok := props["TracingConfig"]; ok {
		fs.tracing = &lambdaapi.TracingConfig{Mode: str(object(v), "Mode")}
	}
	if v, ok := props["EphemeralStorage"]; ok {
		size, err := intValue(object(v)["Size"], "EphemeralStorage.Size")
		if err != nil {
			return fs, err
		}
		fs.storage = &lambdaapi.EphemeralStorage{Size: size}
	}
	if v, ok := props["DeadLetterConfig"]; ok {
		fs.dlq = &lambdaapi.DeadLetterConfig{TargetArn: str(object(v), "TargetArn")}
	}
	return fs, nil
}

// functionCode reads Code: an S3 object or inline source (ZipFile), which
// CloudFormation packages as index.<ext> for the interpreted runtimes.
func functionCode(props map[string]any) (*lambdaapi.FunctionCode, error) {
	code := object(props["Code"])
	if code == nil {
		return nil, errors.New("Properties validation failed: #: required key [Code] not found")
	}
	if err := checkKeys(code, "Code", "S3Bucket", "S3Key", "S3ObjectVersion", "ZipFile"); err != nil {
		return nil, err
	}
	if src, ok := template.String(code["ZipFile"]); ok {
		if code["S3Bucket"] != nil || code["S3Key"] != nil {
			return nil, errors.New("Please provide only one of S3Bucket/S3Key or ZipFile in Code")
		}
		zipped, err := inlineZip(str(props, "Runtime"), src)
		if err != nil {
			return nil, err
		}
		return &lambdaapi.FunctionCode{ZipFile: zipped}, nil
	}
	c := &lambdaapi.FunctionCode{S3Bucket: str(code, "S3Bucket"), S3Key: str(code, "S3Key"), S3ObjectVersion: str(code, "S3ObjectVersion")}
	if c.S3Bucket == "" || c.S3Key == "" {
		return nil, errors.New("Please provide a source for function code (S3Bucket and S3Key, or ZipFile)")
	}
	return c, nil
}

func inlineZip(runtime, src string) ([]byte, error) {
	name := "index"
	switch {
	case strings.HasPrefix(runtime, "nodejs"):
		name += ".js"
	case strings.HasPrefix(runtime, "python"):
		name += ".py"
	default:
		return nil, fmt.Errorf("ZipFile is only supported for the Node.js and Python runtimes, not %q", runtime)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create(name)
	if err == nil {
		_, err = f.Write([]byte(src))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("package inline code: %w", err)
	}
	return buf.Bytes(), nil
}

func (p functionProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if pt := str(req.Properties, "PackageType"); pt != "" && pt != "Zip" {
		return Result{}, fmt.Errorf("localcloud runs Zip functions only, not PackageType %s", pt)
	}
	name := str(req.Properties, "FunctionName")
	if name == "" {
		name = PhysicalName(req, 64)
	}
	code, err := functionCode(req.Properties)
	if err != nil {
		return Result{}, err
	}
	fs, err := readFunctionSettings(req.Properties)
	if err != nil {
		return Result{}, err
	}
	reserved, err := intPtr(req.Properties, "ReservedConcurrentExecutions")
	if err != nil {
		return Result{}, err
	}
	tags := req.Tags()
	if len(tags) == 0 {
		tags = nil
	}
	cfg, err := p.api.CreateFunction(ctx, &lambdaapi.CreateFunctionInput{
		FunctionName: name, Runtime: str(req.Properties, "Runtime"), Role: str(req.Properties, "Role"),
		Handler: str(req.Properties, "Handler"), Code: code, Description: str(req.Properties, "Description"),
		Timeout: fs.timeout, MemorySize: fs.memory, PackageType: str(req.Properties, "PackageType"), Environment: fs.env,
		Tags: tags, Architectures: stringList(req.Properties["Architectures"]), LoggingConfig: fs.logging,
		TracingConfig: fs.tracing, EphemeralStorage: fs.storage, DeadLetterConfig: fs.dlq,
	})
	if err != nil {
		return Result{}, apiMessage("Lambda", err)
	}
	if reserved != nil {
		if _, err := p.api.PutFunctionConcurrency(ctx, &lambdaapi.PutConcurrencyInput{FunctionName: name, ReservedConcurrentExecutions: reserved}); err != nil {
			_, _ = p.api.DeleteFunction(ctx, &lambdaapi.FunctionNameInput{FunctionName: name})
			return Result{}, apiMessage("Lambda", err)
		}
	}
	return Result{PhysicalID: name, Attributes: map[string]any{"Arn": cfg.FunctionArn}}, nil
}

func (p functionProvider) Update(ctx context.Context, req *Request) (Result, error) {
	name := req.PhysicalID
	if changed(req.OldProperties, req.Properties, "Code") || changed(req.OldProperties, req.Properties, "Architectures") {
		code, err := functionCode(req.Properties)
		if err != nil {
			return Result{}, err
		}
		in := &lambdaapi.UpdateFunctionCodeInput{FunctionName: name, ZipFile: code.ZipFile, S3Bucket: code.S3Bucket,
			S3Key: code.S3Key, S3ObjectVersion: code.S3ObjectVersion, Architectures: stringList(req.Properties["Architectures"])}
		if _, err := p.api.UpdateFunctionCode(ctx, in); err != nil {
			return Result{}, apiMessage("Lambda", err)
		}
	}
	fs, err := readFunctionSettings(req.Properties)
	if err != nil {
		return Result{}, err
	}
	role, handler, runtime, desc := str(req.Properties, "Role"), str(req.Properties, "Handler"), str(req.Properties, "Runtime"), str(req.Properties, "Description")
	in := &lambdaapi.UpdateFunctionConfigurationInput{FunctionName: name, Role: &role, Handler: &handler, Runtime: &runtime,
		Description: &desc, Timeout: fs.timeout, MemorySize: fs.memory, Environment: fs.env, LoggingConfig: fs.logging,
		TracingConfig: fs.tracing, EphemeralStorage: fs.storage, DeadLetterConfig: fs.dlq}
	// Removed settings go back to Lambda's defaults.
	if in.Timeout == nil {
		d := 3
		in.Timeout = &d
	}
	if in.MemorySize == nil {
		d := 128
		in.MemorySize = &d
	}
	if in.Environment == nil {
		in.Environment = &lambdaapi.Environment{Variables: map[string]string{}}
	}
	if in.LoggingConfig == nil && req.OldProperties["LoggingConfig"] != nil {
		in.LoggingConfig = &lambdaapi.LoggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + name}
	}
	if _, err := p.api.UpdateFunctionConfiguration(ctx, in); err != nil {
		return Result{}, apiMessage("Lambda", err)
	}
	if changed(req.OldProperties, req.Properties, "ReservedConcurrentExecutions") {
		reserved, err := intPtr(req.Properties, "ReservedConcurrentExecutions")
		if err != nil {
			return Result{}, err
		}
		if reserved != nil {
			_, err = p.api.PutFunctionConcurrency(ctx, &lambdaapi.PutConcurrencyInput{FunctionName: name, ReservedConcurrentExecutions: reserved})
		} else {
			_, err = p.api.DeleteFunctionConcurrency(ctx, &lambdaapi.FunctionNameInput{FunctionName: name})
		}
		if err != nil {
			return Result{}, apiMessage("Lambda", err)
		}
	}
	cfg, err := p.api.GetFunctionConfiguration(ctx, &lambdaapi.FunctionNameInput{FunctionName: name})
	if err != nil {
		return Result{}, apiMessage("Lambda", err)
	}
	set, removed := req.TagChanges()
	if len(set) > 0 {
		if _, err := p.api.TagResource(ctx, &lambdaapi.TagResourceInput{Resource: cfg.FunctionArn, Tags: set}); err != nil {
			return Result{}, apiMessage("Lambda", err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagResource(ctx, &lambdaapi.UntagResourceInput{Resource: cfg.FunctionArn, TagKeys: removed}); err != nil {
			return Result{}, apiMessage("Lambda", err)
		}
	}
	return Result{PhysicalID: name, Attributes: map[string]any{"Arn": cfg.FunctionArn}}, nil
}

func (p functionProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteFunction(ctx, &lambdaapi.FunctionNameInput{FunctionName: req.PhysicalID}); err != nil && !isCode(err, "ResourceNotFoundException") {
		return apiMessage("Lambda", err)
	}
	return nil
}

func permissionSpec(api FunctionAPI) Spec {
	s := Spec{
		Type:        "AWS::Lambda::Permission",
		Properties:  []string{"Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "Principal", "PrincipalOrgID", "SourceAccount", "SourceArn"},
		Replacement: []string{"Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "Principal", "PrincipalOrgID", "SourceAccount", "SourceArn"},
		Attributes:  []string{"Id"},
	}
	if api != nil {
		s.Provider = permissionProvider{api: api}
	}
	return s
}

type permissionProvider struct{ api FunctionAPI }

func (p permissionProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if str(req.Properties, "FunctionUrlAuthType") != "" {
		return Result{}, errors.New("localcloud has no function URLs: FunctionUrlAuthType is not supported")
	}
	fn := str(req.Properties, "FunctionName")
	id := PhysicalName(req, 100)
	_, err := p.api.AddPermission(ctx, &lambdaapi.AddPermissionInput{FunctionName: fn, StatementID: id,
		Action: str(req.Properties, "Action"), Principal: str(req.Properties, "Principal"), SourceArn: str(req.Properties, "SourceArn"),
		SourceAccount: str(req.Properties, "SourceAccount"), EventSourceToken: str(req.Properties, "EventSourceToken"),
		PrincipalOrgID: str(req.Properties, "PrincipalOrgID")})
	if err != nil {
		return Result{}, apiMessage("Lambda", err)
	}
	return Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

// Update has nothing to do: every property of a permission replaces it.
func (p permissionProvider) Update(_ context.Context, req *Request) (Result, error) {
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Id": req.PhysicalID}}, nil
}

func (p permissionProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.api.RemovePermission(ctx, &lambdaapi.RemovePermissionInput{FunctionName: str(req.OldProperties, "FunctionName"), StatementID: req.PhysicalID})
	if err != nil && !isCode(err, "ResourceNotFoundException") {
		return apiMessage("Lambda", err)
	}
	return nil
}

func mappingSpec(api FunctionAPI) Spec {
	s := Spec{
		Type: "AWS::Lambda::EventSourceMapping",
		Properties: []string{"BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "Enabled", "EventSourceArn", "FilterCriteria",
			"FunctionName", "FunctionResponseTypes", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds", "MaximumRetryAttempts",
			"ParallelizationFactor", "ScalingConfig", "StartingPosition", "StartingPositionTimestamp", "TumblingWindowInSeconds"},
		Replacement: []string{"EventSourceArn", "StartingPosition", "StartingPositionTimestamp"},
		Attributes:  []string{"Id", "EventSourceMappingArn"},
	}
	if api != nil {
		s.Provider = mappingProvider{api: api}
	}
	return s
}

type mappingProvider struct{ api FunctionAPI }

// mappingSettings reads the properties CreateEventSourceMapping and
// UpdateEventSourceMapping share into an UpdateInput.
func mappingSettings(props map[string]any) (esm.UpdateInput, error) {
	var u esm.UpdateInput
	var err error
	u.FunctionName = str(props, "FunctionName")
	for key, dst := range map[string]**int{"BatchSize": &u.BatchSize, "MaximumBatchingWindowInSeconds": &u.MaximumBatchingWindowInSeconds,
		"MaximumRetryAttempts": &u.MaximumRetryAttempts, "MaximumRecordAgeInSeconds": &u.MaximumRecordAgeInSeconds,
		"ParallelizationFactor": &u.ParallelizationFactor, "TumblingWindowInSeconds": &u.TumblingWindowInSeconds} {
		if *dst, err = intPtr(props, key); err != nil {
			return u, err
		}
	}
	if u.Enabled, err = boolPtr(props, "Enabled"); err != nil {
		return u, err
	}
	if u.BisectBatchOnFunctionError, err = boolPtr(props, "BisectBatchOnFunctionError"); err != nil {
		return u, err
	}
	if v, ok := props["FunctionResponseTypes"]; ok {
		u.FunctionResponseTypes = stringList(v)
	}
	if v, ok := props["ScalingConfig"]; ok {
		sc := object(v)
		if err := checkKeys(sc, "ScalingConfig", "MaximumConcurrency"); err != nil {
			return u, err
		}
		u.ScalingConfig = &esm.ScalingConfig{}
		if u.ScalingConfig.MaximumConcurrency, err = intPtr(sc, "MaximumConcurrency"); err != nil {
			return u, err
		}
	}
	if v, ok := props["FilterCriteria"]; ok {
		fc := object(v)
		if err := checkKeys(fc, "FilterCriteria", "Filters"); err != nil {
			return u, err
		}
		filters, err := objectList(fc["Filters"], "FilterCriteria.Filters")
		if err != nil {
			return u, err
		}
		u.FilterCriteria = &esm.FilterCriteria{Filters: []esm.Filter{}}
		for _, f := range filters {
			pattern, err := scalarOrJSON(f["Pattern"])
			if err != nil {
				return u, err
			}
			u.FilterCriteria.Filters = append(u.FilterCriteria.Filters, esm.Filter{Pattern: pattern})
		}
	}
	if v, ok := props["DestinationConfig"]; ok {
		dc := object(v)
		if err := checkKeys(dc, "DestinationConfig", "OnFailure"); err != nil {
			return u, err
		}
		u.DestinationConfig = &esm.DestinationConfig{}
		if of := object(dc["OnFailure"]); of != nil {
			u.DestinationConfig.OnFailure = &esm.OnFailure{Destination: str(of, "Destination")}
		}
	}
	return u, nil
}

func mappingResult(req *Request, m *lambdaapi.EventSourceMappingConfiguration) Result {
	arn := "arn:aws:lambda:" + req.Region + ":" + req.Account + ":event-source-mapping:" + m.UUID
	return Result{PhysicalID: m.UUID, Attributes: map[string]any{"Id": m.UUID, "EventSourceMappingArn": arn}}
}

func (p mappingProvider) Create(ctx context.Context, req *Request) (Result, error) {
	u, err := mappingSettings(req.Properties)
	if err != nil {
		return Result{}, err
	}
	in := &lambdaapi.CreateEventSourceMappingInput{CreateInput: esm.CreateInput{
		EventSourceArn: str(req.Properties, "EventSourceArn"), FunctionName: u.FunctionName, Enabled: u.Enabled,
		BatchSize: u.BatchSize, MaximumBatchingWindowInSeconds: u.MaximumBatchingWindowInSeconds,
		FunctionResponseTypes: u.FunctionResponseTypes, FilterCriteria: u.FilterCriteria, ScalingConfig: u.ScalingConfig,
		StartingPosition: str(req.Properties, "StartingPosition"), BisectBatchOnFunctionError: u.BisectBatchOnFunctionError,
		MaximumRetryAttempts: u.MaximumRetryAttempts, MaximumRecordAgeInSeconds: u.MaximumRecordAgeInSeconds,
		ParallelizationFactor: u.ParallelizationFactor, DestinationConfig: u.DestinationConfig,
		TumblingWindowInSeconds: u.TumblingWindowInSeconds,
	}}
	if ts, ok := req.Properties["StartingPositionTimestamp"]; ok {
		s, _ := template.String(ts)
		var f float64
		if _, err := fmt.Sscanf(s, "%g", &f); err != nil {
			return Result{}, errors.New("Value of property StartingPositionTimestamp must be of type Number")
		}
		in.StartingPositionTimestamp = &f
	}
	m, err := p.api.CreateEventSourceMapping(ctx, in)
	if err != nil {
		return Result{}, apiMessage("Lambda", err)
	}
	return mappingResult(req, m), nil
}

func (p mappingProvider) Update(ctx context.Context, req *Request) (Result, error) {
	u, err := mappingSettings(req.Properties)
	if err != nil {
		return Result{}, err
	}
	// Removed settings go back to their defaults: empty lists and objects
	// clear them, as UpdateEventSourceMapping documents.
	if u.FunctionResponseTypes == nil && req.OldProperties["FunctionResponseTypes"] != nil {
		u.FunctionResponseTypes = []string{}
	}
	if u.FilterCriteria == nil && req.OldProperties["FilterCriteria"] != nil {
		u.FilterCriteria = &esm.FilterCriteria{}
	}
	if u.ScalingConfig == nil && req.OldProperties["ScalingConfig"] != nil {
		u.ScalingConfig = &esm.ScalingConfig{}
	}
	if u.DestinationConfig == nil && req.OldProperties["DestinationConfig"] != nil {
		u.DestinationConfig = &esm.DestinationConfig{OnFailure: &esm.OnFailure{}}
	}
	if u.Enabled == nil {
		t := true
		u.Enabled = &t
	}
	u.UUID = req.PhysicalID
	m, err := p.api.UpdateEventSourceMapping(ctx, &lambdaapi.UpdateEventSourceMappingInput{UpdateInput: u, UUID: req.PhysicalID})
	if err != nil {
		return Result{}, apiMessage("Lambda", err)
	}
	return mappingResult(req, m), nil
}

func (p mappingProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteEventSourceMapping(ctx, &lambdaapi.MappingUUIDInput{UUID: req.PhysicalID}); err != nil && !isCode(err, "ResourceNotFoundException") {
		return apiMessage("Lambda", err)
	}
	return nil
}
