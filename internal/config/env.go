package config

// The environment variables paved reads. They sit between flags (which win)
// and paved.yaml (which loses) so that a container or CI job can set them
// without editing the reviewed config file.
const (
	EnvAddr           = "PAVED_ADDR"            // server.addr
	EnvDatabase       = "PAVED_DATABASE"        // server.database
	EnvConfig         = "PAVED_CONFIG"          // --config
	EnvServer         = "PAVED_SERVER"          // --server: the URL of a paved server for CLI commands
	EnvToken          = "PAVED_TOKEN"           // the API token the CLI sends with --server
	EnvAudience       = "PAVED_AUDIENCE"        // the audience of the CI job's ID token paved check exchanges (default paved)
	EnvBootstrapToken = "PAVED_BOOTSTRAP_TOKEN" // the first admin's token secret, for automation
	EnvAs             = "PAVED_AS"              // --as: the paved user local launch commands act as
)

// Env holds the PAVED_* variables.
type Env struct {
	Addr           string
	Database       string
	Config         string
	Server         string
	Token          string
	BootstrapToken string
}

// FromEnv reads the PAVED_* variables through getenv (os.Getenv, or a map
// in tests).
func FromEnv(getenv func(string) string) Env {
	return Env{
		Addr:           getenv(EnvAddr),
		Database:       getenv(EnvDatabase),
		Config:         getenv(EnvConfig),
		Server:         getenv(EnvServer),
		Token:          getenv(EnvToken),
		BootstrapToken: getenv(EnvBootstrapToken),
	}
}

// ApplyEnv layers the environment over the file and defaults. Values are
// checked here so that a bad PAVED_ADDR is reported as such, not as a
// problem in paved.yaml.
func (c *Config) ApplyEnv(e Env) error {
	if e.Addr != "" {
		if err := ValidateAddr(EnvAddr, e.Addr); err != nil {
			return err
		}
		c.Server.Addr = e.Addr
		c.SetBy("server.addr", EnvAddr)
	}
	if e.Database != "" {
		c.Server.Database = e.Database
		c.SetBy("server.database", EnvDatabase)
	}
	return nil
}
