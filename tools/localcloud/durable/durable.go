// Package durable holds the few file-system steps localcloud's stores take to make a
// file or a rename survive a crash: sync the directory after a create or rename, and
// write or copy a whole file through a synced temporary file renamed into place.
package durable

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// SyncDir makes the creates, renames and removes done in dir durable. File systems that
// cannot sync a directory (os.ErrInvalid) are not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// WriteFile replaces path with data durably: a temporary file beside it is written and
// synced, renamed over path, and the directory synced. A crash leaves the old file or
// the new one (and perhaps a stray temporary file starting with "."+base+".tmp-").
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Replace(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CopyFile replaces dst with a copy of src the way WriteFile does.
func CopyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return Replace(dst, perm, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// Replace replaces path durably with what fill writes, as WriteFile does; when fill
// fails, path is left as it was.
func Replace(path string, perm os.FileMode, fill func(io.Writer) error) error {
	// A temporary name of its own, so concurrent replacements of one path do not
	// write into each other's file; the last rename wins.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		err = fill(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}
