package replication

import "testing"

func TestDestination(t *testing.T) {
	const src, other = "111111111111", "222222222222"
	for _, tc := range []struct {
		d            Destination
		source       string
		cross        bool
		str, account string
	}{
		{Destination{"us-west-2", other}, src, true, "222222222222/us-west-2", other},
		{Destination{"us-west-2", src}, src, false, "111111111111/us-west-2", src},
		{Destination{"us-west-2", ""}, src, false, "us-west-2", "fallback"},
		{Destination{"us-west-2", ""}, "", false, "us-west-2", "fallback"},
		{Destination{"us-west-2", other}, "", true, "222222222222/us-west-2", other},
	} {
		if got := tc.d.CrossAccount(tc.source); got != tc.cross {
			t.Errorf("%+v.CrossAccount(%q) = %v, want %v", tc.d, tc.source, got, tc.cross)
		}
		if got := tc.d.String(); got != tc.str {
			t.Errorf("%+v.String() = %q, want %q", tc.d, got, tc.str)
		}
		if got := tc.d.AccountOr("fallback"); got != tc.account {
			t.Errorf("%+v.AccountOr = %q, want %q", tc.d, got, tc.account)
		}
	}
}

func TestTagMutability(t *testing.T) {
	for _, tc := range []struct {
		m     TagMutability
		valid bool
		or    TagMutability
	}{
		{Immutable, true, Immutable},
		{Mutable, true, Mutable},
		{"", false, Immutable},
		{"immutable", false, "immutable"},
		{"IMMUTABLE_WITH_EXCLUSION", false, "IMMUTABLE_WITH_EXCLUSION"},
	} {
		if got := tc.m.Valid(); got != tc.valid {
			t.Errorf("%q.Valid() = %v, want %v", tc.m, got, tc.valid)
		}
		if got := tc.m.Or(Immutable); got != tc.or {
			t.Errorf("%q.Or(Immutable) = %q, want %q", tc.m, got, tc.or)
		}
	}
}
