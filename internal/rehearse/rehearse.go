package rehearse

import (
	"context"
	"time"
)

// Rehearse deploys the app with opts (Deploy), checks what moto holds (Check), runs verify
// against it (CheckVerify), destroys it (Destroy) and checks what was left (CheckDestroyed).
// The report's findings say what was checked; an error means the rehearsal could not run
// (the CLI failed, moto did not answer), and the report then holds what was found before.
func Rehearse(ctx context.Context, name string, opts Options) (*Report, error) {
	r := &Report{Name: name}
	d, err := Deploy(ctx, opts)
	if err != nil {
		return r, err
	}
	r.timing("synth", d.Synth)
	r.timing("bootstrap", d.Bootstrap)
	r.timing("deploy", d.Deploy)
	start := time.Now()
	findings, states, err := Check(ctx, d)
	if err != nil {
		return r, err
	}
	r.add(findings...)
	r.timing("check", time.Since(start))
	start = time.Now()
	findings, err = CheckVerify(ctx, d, states)
	if err != nil {
		return r, err
	}
	r.add(findings...)
	r.timing("verify", time.Since(start))
	took, err := Destroy(ctx, d)
	if err != nil {
		return r, err
	}
	r.timing("destroy", took)
	if findings, err = CheckDestroyed(ctx, d, states); err != nil {
		return r, err
	}
	r.add(findings...)
	return r, nil
}

func (r *Report) timing(step string, d time.Duration) {
	r.Timings = append(r.Timings, Timing{Step: step, Seconds: d.Seconds()})
}

// Variant is a named deployment to rehearse.
type Variant struct {
	// Name names the rehearsal in its report.
	Name string
	// Context are its -c key=value pairs.
	Context map[string]string
}

// Variants are the deployments `make rehearse` rehearses: the default one, and the same with
// customer-managed KMS keys for the repositories (encryption=KMS).
var Variants = []Variant{
	{Name: "default"},
	{Name: "kms", Context: map[string]string{"encryption": "KMS"}},
}
