// Command iamreport is make iam's report: given the function and action
// pairs the local-stack tests were allowed (their -iam.used file), it
// prints, per function of template.yaml, the actions its policy allows that
// no test used: where least privilege may be tightened, on evidence (or a
// test is missing).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/partnership-grants/backend/pkg/dev/iam"
)

func main() {
	template := flag.String("template", "template.yaml", "the SAM template")
	usedPath := flag.String("used", ".local/iam-used.txt", "function<TAB>action lines, as the stack tests' -iam.used writes them")
	flag.Parse()
	if err := run(*template, *usedPath); err != nil {
		fmt.Fprintln(os.Stderr, "iamreport:", err)
		os.Exit(1)
	}
}

func run(template, usedPath string) error {
	// Resources do not matter here, only actions; the names are the local stack's.
	tpl, err := iam.Load(template, iam.Names{Region: "eu-west-2", Account: "000000000000",
		Params: map[string]string{"Stage": "local", "SesIdentity": "funder.local", "AWS::StackName": "partnership-grants-local"}})
	if err != nil {
		return err
	}
	f, err := os.Open(usedPath)
	if err != nil {
		return err
	}
	defer f.Close()
	used := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fn, action, ok := strings.Cut(strings.TrimSpace(sc.Text()), "\t")
		if ok {
			used[fn] = append(used[fn], strings.ToLower(action))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fns := make([]string, 0, len(tpl.Policies))
	for fn := range tpl.Policies {
		fns = append(fns, fn)
	}
	sort.Strings(fns)
	for _, fn := range fns {
		if len(used[fn]) == 0 {
			fmt.Printf("%s: no test invoked it (allows %s)\n", fn, strings.Join(tpl.Policies[fn].AllowedActions(), ", "))
			continue
		}
		var unused []string
		for _, allowed := range tpl.Policies[fn].AllowedActions() {
			hit := false
			for _, a := range used[fn] {
				if iam.Match(allowed, a) {
					hit = true
					break
				}
			}
			if !hit {
				unused = append(unused, allowed)
			}
		}
		if len(unused) == 0 {
			fmt.Printf("%s: every action its policy allows was used\n", fn)
			continue
		}
		fmt.Printf("%s: allowed, never used: %s\n", fn, strings.Join(unused, ", "))
	}
	fmt.Println("(sqs:sendmessage on a function's own on-failure queue is Lambda's call, made with the role: no test makes it.)")
	return nil
}
