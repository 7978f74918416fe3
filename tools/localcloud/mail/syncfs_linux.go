package mail

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFilesystem flushes the file system holding dir with one syncfs(2): cheaper than an
// fsync per file when thousands of small files were written.
func syncFilesystem(dir string) (bool, error) {
	d, err := os.Open(dir)
	if err != nil {
		return true, err
	}
	defer d.Close()
	return true, unix.Syncfs(int(d.Fd()))
}
