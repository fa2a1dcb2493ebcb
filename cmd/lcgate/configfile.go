package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
	"sigs.k8s.io/yaml"
)

// maxConfigSize bounds the --config file.
const maxConfigSize = 1 << 20

// loadYAML is the kong ConfigurationLoader behind --config. It converts the YAML mapping
// to JSON with sigs.k8s.io/yaml and hands it to kong.JSON. Keys are flag names with "_"
// (or camelCase) for "-": listen, upstream, upstream_version, metrics_listen, log_level,
// log_format. Numbers and booleans become strings, as they would be on the command line,
// so `upstream_version: 3.2` works; 3.0 must be quoted ("3.0"), or YAML reads it as 3.
// A key that is no flag of any command is an error.
func loadYAML(r io.Reader) (kong.Resolver, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("config file is larger than %d bytes", maxConfigSize)
	}
	doc, err := yamlMapping(data)
	if err != nil {
		return nil, err
	}
	flat, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	resolver, err := kong.JSON(bytes.NewReader(flat))
	if err != nil {
		return nil, err
	}
	return knownKeysResolver{Resolver: resolver, keys: sortedKeys(doc)}, nil
}

// yamlMapping decodes a YAML mapping with its scalar values as strings. An empty file is
// an empty mapping.
func yamlMapping(data []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	if doc == nil {
		return map[string]any{}, nil
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("config file: want a mapping of flag names to values")
	}
	for k, v := range m {
		m[k] = scalarAsString(v)
	}
	return m, nil
}

// scalarAsString turns numbers and booleans into their text; other values are unchanged.
func scalarAsString(v any) any {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// knownKeysResolver is kong.JSON's resolver with two changes: an environment variable
// beats the file (kong alone would let the file win), and every key must name a flag, so a
// misspelt key fails loudly instead of being ignored.
type knownKeysResolver struct {
	kong.Resolver
	keys []string
}

// Resolve returns the file's value for flag, unless one of flag's variables is set.
func (r knownKeysResolver) Resolve(kctx *kong.Context, parent *kong.Path, flag *kong.Flag) (any, error) {
	for _, env := range flag.Envs {
		if _, set := os.LookupEnv(env); set {
			return nil, nil
		}
	}
	return r.Resolver.Resolve(kctx, parent, flag)
}

// Validate reports the keys that are no flag of app.
func (r knownKeysResolver) Validate(app *kong.Application) error {
	known := configKeys(app.Node, map[string]bool{})
	var unknown []string
	for _, k := range r.keys {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("config file: unknown keys %s (keys are flag names, e.g. upstream_version)",
			strings.Join(unknown, ", "))
	}
	return r.Resolver.Validate(app)
}

// configKeys adds to known the keys kong.JSON looks up for every flag under node:
// "upstream_version" and "upstreamVersion" for --upstream-version.
func configKeys(node *kong.Node, known map[string]bool) map[string]bool {
	for _, f := range node.Flags {
		parts := strings.Split(f.Name, "-")
		known[strings.Join(parts, "_")] = true
		for i := 1; i < len(parts); i++ {
			if parts[i] != "" {
				parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
			}
		}
		known[strings.Join(parts, "")] = true
	}
	for _, child := range node.Children {
		configKeys(child, known)
	}
	delete(known, "help")
	return known
}

var _ kong.Resolver = knownKeysResolver{}
