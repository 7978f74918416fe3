package localcloud

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/orderflow/orderflow/tools/localcloud/mail"
)

// MailCommand runs `localcloud mail list` or `localcloud mail show ID`
// against the mailbox in dataDir.
func MailCommand(dataDir string, args []string, out io.Writer) error {
	mb, err := mail.Open(filepath.Join(dataDir, "mail"))
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"list"}
	}
	switch args[0] {
	case "list":
		msgs, err := mb.List()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", m.ID, m.Date.UTC().Format("2006-01-02T15:04:05Z"), m.To, m.Subject)
		}
		return nil
	case "show":
		if len(args) != 2 {
			return fmt.Errorf("usage: localcloud mail show ID")
		}
		m, err := mb.Get(args[1])
		if err != nil {
			return err
		}
		_, err = out.Write(mail.Format(m))
		return err
	}
	return fmt.Errorf("unknown mail command %q (want list or show ID)", args[0])
}
