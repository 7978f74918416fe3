package artifact

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// MaxZipBytes is the largest function zip we accept: DESIGN §9 caps function zips at 5 MB,
// far below Lambda's own 50 MB limit, because cold start grows with size.
const MaxZipBytes = 5 << 20

// zipEpoch is the fixed modification time written for every entry. The DOS date format in
// zip headers cannot represent anything before 1980.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip is a written function artifact.
type Zip struct {
	Path   string // where the zip was written
	Size   int64  // bytes
	SHA256 string // hex digest of the zip bytes; the content address used for uploads
}

// WriteBootstrapZip writes a zip at dst holding the file at bootstrap under the name
// "bootstrap" with mode 0755. The output depends only on the bootstrap bytes.
func WriteBootstrapZip(dst, bootstrap string) (Zip, error) {
	data, err := os.ReadFile(bootstrap)
	if err != nil {
		return Zip{}, fmt.Errorf("read bootstrap: %w", err)
	}
	buf, err := bootstrapZip(data)
	if err != nil {
		return Zip{}, err
	}
	if len(buf) > MaxZipBytes {
		return Zip{}, fmt.Errorf("%s would be %d bytes, over the %d byte limit for function zips", dst, len(buf), MaxZipBytes)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return Zip{}, fmt.Errorf("create %s: %w", filepath.Dir(dst), err)
	}
	// Write beside the destination and rename, so a reader never sees half a zip.
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".zip-*")
	if err != nil {
		return Zip{}, fmt.Errorf("create temp zip: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf); err != nil {
		tmp.Close()
		return Zip{}, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		return Zip{}, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Zip{}, fmt.Errorf("write %s: %w", dst, err)
	}
	sum := sha256.Sum256(buf)
	return Zip{Path: dst, Size: int64(len(buf)), SHA256: hex.EncodeToString(sum[:])}, nil
}

func bootstrapZip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// Pin the compressor's level so a change of the library default cannot change bytes.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	hdr.SetMode(0o755)
	// CreateHeader adds an extended-timestamp extra field derived from Modified; that is
	// still deterministic because Modified is fixed.
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	return buf.Bytes(), nil
}
