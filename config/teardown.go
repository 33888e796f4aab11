package config

import (
	"fmt"
	"strings"
)

// This file reads what cdk destroy does: deleteOnDestroy, deleteProductionOnDestroy and
// registrySettingsOnDestroy.

// OnDestroy is what cdk destroy does to the registry-wide singletons of the deployment: the
// replication configuration, the destination registry policies and the registry scanning
// configuration.
type OnDestroy string

// What cdk destroy does to the registry-wide singletons.
const (
	// OnDestroyDelete empties the replication configuration, deletes the destination
	// registry policies and resets the scanning configuration (CloudFormation's delete).
	OnDestroyDelete OnDestroy = "delete"
	// OnDestroyRetain leaves them in place (DeletionPolicy Retain).
	OnDestroyRetain OnDestroy = "retain"
)

const (
	expOnDestroy = "delete (cdk destroy empties the replication configuration, deletes the destination registry policies and resets the scanning configuration) " +
		"or retain (cdk destroy leaves them in place)"
	// shownRepositories is how many production repositories a message names.
	shownRepositories = 3
)

// parseTeardown reads the keys of cdk destroy, once the repositories are known.
func (p *parser) parseTeardown(c *Config) {
	del, delOK := p.boolean(keyDeleteOnDestroy, false)
	prod, prodOK := p.boolean(keyDeleteProductionOnDestroy, false)
	c.DeleteOnDestroy, c.DeleteProductionOnDestroy = del, prod
	switch {
	case prod && prodOK && delOK && !del:
		p.add(keyDeleteProductionOnDestroy, p.rawValue(keyDeleteProductionOnDestroy),
			"false unless deleteOnDestroy=true: deleteProductionOnDestroy only confirms that deleteOnDestroy may delete production repositories")
	case del && prodOK && !prod:
		if names := productionNames(c); len(names) > 0 {
			what := fmt.Sprintf("%d production repositories exist", len(names))
			if len(names) == 1 {
				what = "a production repository exists"
			}
			p.add(keyDeleteOnDestroy, p.rawValue(keyDeleteOnDestroy), fmt.Sprintf(
				"false while %s (%s): cdk destroy would delete production images in every region; "+
					"confirm with -c deleteProductionOnDestroy=true, or keep deleteOnDestroy for sandboxes of testing repositories",
				what, listSome(names, shownRepositories)))
		}
	}

	c.RegistrySettingsOnDestroy = OnDestroy(p.choice(keyRegistrySettingsOnDestroy, string(OnDestroyDelete), expOnDestroy,
		string(OnDestroyDelete), string(OnDestroyRetain)))
}

// productionNames returns the full names of the production repositories.
func productionNames(c *Config) []string {
	var out []string
	for _, r := range c.Repositories() {
		if r.Profile == ProfileProduction {
			out = append(out, r.FullName)
		}
	}
	return out
}

// listSome renders the first n names, and how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
