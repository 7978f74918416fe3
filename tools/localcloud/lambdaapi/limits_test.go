package lambdaapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// padded is the test function's zip with an incompressible file of n
// bytes added.
func padded(t *testing.T, n int) []byte {
	t.Helper()
	src, err := zip.NewReader(bytes.NewReader(zips["v1"]), int64(len(zips["v1"])))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range src.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "padding", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, rand.NewChaCha8([32]byte{1}), int64(n)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Inline zips may be as large as Lambda allows (a request of about 70 MB),
// not just the front door's default body limit; a larger request gets
// Lambda's RequestEntityTooLargeException.
func TestLargeInlineZip(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "big-zip-role")
	z := padded(t, 7<<20) // about 9.4 MB once base64-encoded
	created := e.create(t, "big-zip", role, func(in *lambda.CreateFunctionInput) { in.Code = &types.FunctionCode{ZipFile: z} })
	if created.CodeSize != int64(len(z)) || aws.ToString(created.CodeSha256) != sha(z) {
		t.Fatalf("CreateFunction: size %d sha %s, want %d %s", created.CodeSize, aws.ToString(created.CodeSha256), len(z), sha(z))
	}
	out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("big-zip"), Payload: payload("echo", "big")})
	if decode(t, out.Payload)["text"] != "big" {
		t.Fatalf("Invoke: %s", out.Payload)
	}
	_, err := e.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("big-zip"), ZipFile: make([]byte, 53<<20)})
	apiError(t, err, "RequestEntityTooLargeException", "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation")
}
