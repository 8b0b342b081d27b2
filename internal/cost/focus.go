package cost

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paved-dev/paved"
)

// FOCUS (FinOps Open Cost and Usage Specification) billing CSV, versions
// 1.0 to 1.3. The reader streams: it holds one row, the caches of the
// current keys and tags (bounded) and the per-batch currencies, never the
// file.

// The columns paved reads. Column IDs are matched case-insensitively after
// trimming spaces (and a byte-order mark on the first).
const (
	colBillingAccountID = iota
	colBillingAccountName
	colSubAccountID
	colSubAccountName
	colProviderName        // 1.0-1.2 (deprecated by 1.3)
	colServiceProviderName // 1.3
	colBillingCurrency
	colBillingPeriodStart
	colBillingPeriodEnd
	colChargePeriodStart
	colChargePeriodEnd
	colChargeCategory
	colChargeClass
	colServiceName
	colServiceCategory
	colRegionID
	colResourceID
	colResourceName
	colBilledCost
	colEffectiveCost
	colTags
	colAllocatedTags       // 1.3: tags of a provider-split allocated charge
	colAllocatedResourceID // 1.3: the resource an allocated charge is split to
	numCols
)

var colNames = [numCols]string{
	"BillingAccountId", "BillingAccountName", "SubAccountId", "SubAccountName",
	"ProviderName", "ServiceProviderName", "BillingCurrency",
	"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
	"ChargeCategory", "ChargeClass", "ServiceName", "ServiceCategory",
	"RegionId", "ResourceId", "ResourceName", "BilledCost", "EffectiveCost",
	"Tags", "AllocatedTags", "AllocatedResourceId",
}

// requiredCols must be in every file (one of ProviderName and
// ServiceProviderName too): the columns FOCUS 1.0 to 1.3 all make
// mandatory that paved needs to place and count a line.
var requiredCols = []int{
	colBillingAccountID, colBillingCurrency, colBillingPeriodStart, colBillingPeriodEnd,
	colChargePeriodStart, colChargePeriodEnd, colChargeCategory, colServiceName,
	colBilledCost, colEffectiveCost,
}

// focusColumns is every column FOCUS 1.0 to 1.3 defines for the cost and
// usage dataset, with the version that introduced it; a header column that
// is neither one of these nor an x_ extension is reported as ignored.
var focusColumns = map[string]string{
	"availabilityzone": "1.0", "billedcost": "1.0", "billingaccountid": "1.0", "billingaccountname": "1.0",
	"billingcurrency": "1.0", "billingperiodend": "1.0", "billingperiodstart": "1.0", "chargecategory": "1.0",
	"chargeclass": "1.0", "chargedescription": "1.0", "chargefrequency": "1.0", "chargeperiodend": "1.0",
	"chargeperiodstart": "1.0", "commitmentdiscountcategory": "1.0", "commitmentdiscountid": "1.0",
	"commitmentdiscountname": "1.0", "commitmentdiscountstatus": "1.0", "commitmentdiscounttype": "1.0",
	"consumedquantity": "1.0", "consumedunit": "1.0", "contractedcost": "1.0", "contractedunitprice": "1.0",
	"effectivecost": "1.0", "invoiceissuername": "1.0", "listcost": "1.0", "listunitprice": "1.0",
	"pricingcategory": "1.0", "pricingquantity": "1.0", "pricingunit": "1.0", "providername": "1.0",
	"publishername": "1.0", "regionid": "1.0", "regionname": "1.0", "resourceid": "1.0", "resourcename": "1.0",
	"resourcetype": "1.0", "servicecategory": "1.0", "servicename": "1.0", "skuid": "1.0", "skupriceid": "1.0",
	"subaccountid": "1.0", "subaccountname": "1.0", "tags": "1.0",
	// 1.1
	"capacityreservationid": "1.1", "capacityreservationstatus": "1.1", "commitmentdiscountquantity": "1.1",
	"commitmentdiscountunit": "1.1", "servicesubcategory": "1.1", "skumeter": "1.1", "skupricedetails": "1.1",
	// 1.2
	"billingaccounttype": "1.2", "subaccounttype": "1.2", "invoiceid": "1.2", "pricingcurrency": "1.2",
	"pricingcurrencycontractedunitprice": "1.2", "pricingcurrencyeffectivecost": "1.2",
	"pricingcurrencylistunitprice": "1.2",
	// 1.3: ProviderName and PublisherName give way to ServiceProviderName
	// and HostProviderName; provider-split allocation and applied contracts.
	"serviceprovidername": "1.3", "hostprovidername": "1.3", "allocatedmethodid": "1.3",
	"allocatedmethoddetails": "1.3", "allocatedresourceid": "1.3", "allocatedresourcename": "1.3",
	"allocatedtags": "1.3", "contractapplied": "1.3",
}

// MaxInvalidReported bounds the messages kept about skipped lines; the
// count is always exact.
const MaxInvalidReported = 20

// Cache bounds: past them a cache starts over, so memory stays flat
// whatever the file holds.
const (
	maxKeyCache = 100_000
	maxTagCache = 100_000
)

// IngestOptions configures a FOCUS reader.
type IngestOptions struct {
	// SkipInvalid counts and reports invalid lines instead of stopping at
	// the first.
	SkipInvalid bool
	// Allocator places each new key; nil places everything in Unallocated.
	Allocator *Allocator
	// MaxUnpacked bounds the bytes a gzip file may unpack to, summed over
	// the files; 0 means no bound (local files). The server sets it so
	// that a small upload cannot make it read without end.
	MaxUnpacked int64
}

// MaxRecordBytes bounds one CSV record (a line, or several when a quoted
// value holds line breaks). csv.Reader holds a whole record in memory
// before it returns it, so without a bound one line of a gzip bomb
// (783 KB unpacking to a 768 MiB line) took the server down. A FOCUS
// line is a few kilobytes, its tags included.
const MaxRecordBytes = 1 << 20

// Source reads FOCUS files one after the other as one paved.CostLineSource.
type Source struct {
	opt   IngestOptions
	files []string // the names of the files opened (all of them for NewSource)
	next  func(i int) (string, io.ReadCloser, error)

	// current file
	fi     int
	closer io.Closer
	rd     *rowReader

	version string
	ignored map[string]bool

	lines, skipped int64
	invalid        []string

	keys      map[keyCacheKey]*paved.CostKey
	keyCount  int
	tags      map[string]map[string]string
	batches   map[batchKey]batchInfo
	providers map[string]bool // provider -> a non-zero EffectiveCost was seen
	order     []string        // providers in order of appearance

	done, total atomic.Int64
	unpacked    *int64 // what gzip files may still unpack to (MaxUnpacked)
}

type keyCacheKey struct {
	provider, account, sub, subName, tags, allocTags string
}

type batchKey struct {
	account string
	period  time.Time
}

type batchInfo struct {
	currency string
	where    string
}

// NewSource reads the given files (plain or gzip CSV, told apart by their
// first bytes).
func NewSource(files []string, opt IngestOptions) *Source {
	s := newSource(opt)
	s.files = files
	s.next = func(i int) (string, io.ReadCloser, error) {
		if i >= len(files) {
			return "", nil, io.EOF
		}
		rc, err := openFile(files[i])
		return files[i], rc, err
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			s.total.Add(fi.Size())
		}
	}
	return s
}

// NewReaderSource reads one stream (an upload) named name in messages;
// size is its length for the progress (0 when unknown).
func NewReaderSource(name string, r io.Reader, size int64, opt IngestOptions) *Source {
	s := NewStreamSource(func(i int) (string, io.Reader, error) {
		if i > 0 {
			return "", nil, io.EOF
		}
		return name, r, nil
	}, opt)
	s.total.Store(size)
	return s
}

// NewStreamSource reads the files next hands out one after the other (the
// parts of an upload); next returns io.EOF after the last.
func NewStreamSource(next func(i int) (string, io.Reader, error), opt IngestOptions) *Source {
	s := newSource(opt)
	s.next = func(i int) (string, io.ReadCloser, error) {
		name, r, err := next(i)
		if err != nil {
			return "", nil, err
		}
		s.files = append(s.files, name)
		return name, io.NopCloser(r), nil
	}
	return s
}

func newSource(opt IngestOptions) *Source {
	if opt.Allocator == nil {
		opt.Allocator = NewAllocator(AllocationConfig{}, nil)
	}
	return &Source{
		opt:       opt,
		fi:        -1,
		ignored:   map[string]bool{},
		keys:      map[keyCacheKey]*paved.CostKey{},
		tags:      map[string]map[string]string{},
		batches:   map[batchKey]batchInfo{},
		providers: map[string]bool{},
	}
}

func openFile(name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, paved.FieldErrorf(paved.EINVALID, name, "cannot open the billing file: %v", err)
	}
	return f, nil
}

// Progress returns the bytes read so far and the total to read (0 when
// unknown), for a progress bar.
func (s *Source) Progress() (done, total int64) { return s.done.Load(), s.total.Load() }

// Files returns the names of the files read.
func (s *Source) Files() []string { return s.files }

// Version returns the newest FOCUS version whose columns the files used.
func (s *Source) Version() string {
	if s.version == "" {
		return "1.0"
	}
	return s.version
}

// Ignored lists the header columns that are neither FOCUS columns nor x_
// extensions, sorted.
func (s *Source) Ignored() []string {
	out := make([]string, 0, len(s.ignored))
	for c := range s.ignored {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Counts returns the lines read, the lines skipped as invalid and the
// first messages about them.
func (s *Source) Counts() (lines, skipped int64, invalid []string) {
	return s.lines, s.skipped, s.invalid
}

// Keys returns the number of distinct keys met (since the cache last
// started over).
func (s *Source) Keys() int { return s.keyCount }

// CostColumns implements paved.CostLineSource: EffectiveCost for every
// provider with a non-zero EffectiveCost somewhere, BilledCost for the
// others.
func (s *Source) CostColumns() map[string]string {
	out := make(map[string]string, len(s.providers))
	for p, seen := range s.providers {
		if seen {
			out[p] = paved.ColumnEffective
		} else {
			out[p] = paved.ColumnBilled
		}
	}
	return out
}

// Next implements paved.CostLineSource.
func (s *Source) Next() (*paved.CostLine, error) {
	for {
		if s.rd == nil {
			if err := s.nextFile(); err != nil {
				return nil, err
			}
			continue
		}
		l, err := s.rd.next(s)
		switch {
		case err == nil:
			s.lines++
			return l, nil
		case errors.Is(err, io.EOF):
			s.closer.Close()
			s.rd, s.closer = nil, nil
			continue
		}
		var le *lineError
		if errors.As(err, &le) && s.opt.SkipInvalid {
			s.skipped++
			if len(s.invalid) < MaxInvalidReported {
				s.invalid = append(s.invalid, le.err.Error())
			}
			continue
		}
		if errors.As(err, &le) {
			return nil, le.err
		}
		return nil, err
	}
}

// Close releases the open file, if any.
func (s *Source) Close() error {
	if s.closer != nil {
		err := s.closer.Close()
		s.rd, s.closer = nil, nil
		return err
	}
	return nil
}

func (s *Source) nextFile() error {
	s.fi++
	name, rc, err := s.next(s.fi)
	if err != nil {
		return err
	}
	rd, err := newRowReader(name, &countingReader{r: rc, n: &s.done}, s.unpackedLeft())
	if err != nil {
		rc.Close()
		return err
	}
	for _, c := range rd.ignored {
		s.ignored[c] = true
	}
	if rd.version > s.version {
		s.version = rd.version
	}
	s.rd, s.closer = rd, rc
	return nil
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// lineError is an invalid line: with SkipInvalid it is counted and the
// reading goes on.
type lineError struct{ err error }

func (e *lineError) Error() string { return e.err.Error() }

// rowReader reads the rows of one file.
type rowReader struct {
	name    string
	csv     *csv.Reader
	idx     [numCols]int // column index per col*, -1 when absent
	width   int
	line    int // of the record last read
	version string
	ignored []string
	row     rowParser
}

// unpackedLeft is the unpacked-size bound for the next gzip file: what
// MaxUnpacked leaves after the files before it (nil: no bound).
func (s *Source) unpackedLeft() *int64 {
	if s.opt.MaxUnpacked <= 0 {
		return nil
	}
	if s.unpacked == nil {
		left := s.opt.MaxUnpacked
		s.unpacked = &left
	}
	return s.unpacked
}

// newRowReader reads the header of one file (plain or gzip) and maps its
// columns. unpacked, when not nil, is the number of bytes gzip files may
// still unpack to; it is decremented as they are read.
func newRowReader(name string, r io.Reader, unpacked *int64) (*rowReader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	magic, _ := br.Peek(2)
	var in io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, name, "the file starts like gzip but is not readable as gzip: %v", err)
		}
		var z io.Reader = zr
		if unpacked != nil {
			z = &unpackLimit{r: zr, left: unpacked, name: name}
		}
		in = bufio.NewReaderSize(z, 256<<10)
	}
	rl := &recordLimit{r: in, name: name, line: 1}
	cr := csv.NewReader(&bomSkipper{r: rl})
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // checked here, to name the line and the counts
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "the file is empty: a FOCUS export starts with a header line of column names")
	}
	if err != nil {
		var pe *paved.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, paved.FieldErrorf(paved.EINVALID, name+":1", "cannot read the header line: %v", csvMessage(err))
	}
	rd := &rowReader{name: name, csv: cr, width: len(header), version: "1.0"}
	if err := rd.mapHeader(header); err != nil {
		return nil, err
	}
	rd.row.idx = rd.idx
	return rd, nil
}

// mapHeader finds the columns paved reads and checks the required ones.
func (rd *rowReader) mapHeader(header []string) error {
	for i := range rd.idx {
		rd.idx[i] = -1
	}
	byName := make(map[string]int, numCols)
	for i, n := range colNames {
		byName[strings.ToLower(n)] = i
	}
	seen := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		low := strings.ToLower(name)
		if low == "" {
			continue
		}
		if j, dup := seen[low]; dup {
			return paved.FieldErrorf(paved.EINVALID, rd.name+":1", "column %q appears twice (columns %d and %d): remove one", name, j+1, i+1)
		}
		seen[low] = i
		if c, ok := byName[low]; ok {
			rd.idx[c] = i
		}
		if v, ok := focusColumns[low]; ok {
			if v > rd.version {
				rd.version = v
			}
		} else if !strings.HasPrefix(low, "x_") {
			rd.ignored = append(rd.ignored, name)
		}
	}
	var missing []string
	for _, c := range requiredCols {
		if rd.idx[c] < 0 {
			missing = append(missing, colNames[c])
		}
	}
	if rd.idx[colProviderName] < 0 && rd.idx[colServiceProviderName] < 0 {
		missing = append(missing, "ServiceProviderName (FOCUS 1.3) or ProviderName (1.0-1.2)")
	}
	if len(missing) > 0 {
		return paved.FieldErrorf(paved.EINVALID, rd.name+":1", "not a FOCUS cost and usage file: missing required column(s) %s; export FOCUS 1.0 to 1.3 (paved matches column names case-insensitively)",
			strings.Join(missing, ", "))
	}
	return nil
}

// next reads one row into a line; io.EOF at the end; *lineError for an
// invalid line.
func (rd *rowReader) next(s *Source) (*paved.CostLine, error) {
	rec, err := rd.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	line := rd.line + 1
	if err == nil && len(rec) > 0 {
		line, _ = rd.csv.FieldPos(0)
	}
	rd.line = line
	where := rd.name + ":" + strconv.Itoa(line)
	if err != nil {
		var bound *paved.Error
		if errors.As(err, &bound) {
			return nil, bound // a bound (recordLimit, unpackLimit), with its place
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			where = rd.name + ":" + strconv.Itoa(pe.StartLine)
			rd.line = pe.Line
			return nil, &lineError{paved.FieldErrorf(paved.EINVALID, where, "%s", csvMessage(err))}
		}
		return nil, paved.FieldErrorf(paved.EINVALID, where, "cannot read: %v", err)
	}
	if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
		return rd.next(s) // a blank line (one at the end is common)
	}
	if len(rec) != rd.width {
		return nil, &lineError{paved.FieldErrorf(paved.EINVALID, where, "has %d fields but the header has %d: a value with a comma or line break must be in double quotes", len(rec), rd.width)}
	}
	l, err := rd.row.parse(rec, s)
	if err != nil {
		var fe *fatalError
		if errors.As(err, &fe) {
			return nil, paved.FieldErrorf(fe.err.Code, where, "%s", fe.err.Message)
		}
		return nil, &lineError{paved.FieldErrorf(paved.EINVALID, where, "%s", err.Error())}
	}
	l.File, l.Line = rd.name, line
	return l, nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return "a double quote inside an unquoted value: quote the whole value and double the quote (\"\")"
		case errors.Is(pe.Err, csv.ErrQuote):
			return "a quoted value is not closed, or has text after its closing quote"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// recordLimit fails a read once one CSV record has grown past
// MaxRecordBytes. It follows the quoting as csv.Reader does (a quote
// opens a quoted value only at the start of a field; "" inside one is a
// quote), so a line break inside a quoted value does not end the record
// but a stray quote in an unquoted value does not open one either.
type recordLimit struct {
	r     io.Reader
	name  string
	line  int   // the physical line the current record started on
	phys  int   // physical lines read so far, minus one
	n     int64 // bytes of the current record
	state int8
	err   error
}

const (
	csvFieldStart int8 = iota
	csvUnquoted
	csvQuoted
	csvQuoteInQuoted
)

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		l.n++
		switch c {
		case '\n':
			l.phys++
			if l.state != csvQuoted {
				l.state, l.n, l.line = csvFieldStart, 0, l.phys+1
				continue
			}
		case ',':
			if l.state != csvQuoted {
				l.state = csvFieldStart
			}
		case '"':
			switch l.state {
			case csvFieldStart, csvQuoteInQuoted:
				l.state = csvQuoted
			case csvQuoted:
				l.state = csvQuoteInQuoted
			}
		default:
			if l.state == csvFieldStart || l.state == csvQuoteInQuoted {
				l.state = csvUnquoted
			}
		}
		if l.n > MaxRecordBytes {
			l.err = paved.FieldErrorf(paved.ETOOLARGE, l.name+":"+strconv.Itoa(l.line), "a line longer than %d MiB (or a quoted value that is never closed): a FOCUS line is a few kilobytes", MaxRecordBytes>>20)
			return i, l.err
		}
	}
	return n, err
}

// unpackLimit fails a read of a gzip stream once the files have unpacked
// to more than IngestOptions.MaxUnpacked.
type unpackLimit struct {
	r    io.Reader
	left *int64
	name string
}

func (u *unpackLimit) Read(p []byte) (int, error) {
	if *u.left < 0 {
		return 0, paved.FieldErrorf(paved.ETOOLARGE, u.name, "the gzip files unpack to more than the server reads in one ingest: split the export")
	}
	if int64(len(p)) > *u.left+1 {
		p = p[:*u.left+1]
	}
	n, err := u.r.Read(p)
	*u.left -= int64(n)
	if *u.left < 0 {
		return 0, paved.FieldErrorf(paved.ETOOLARGE, u.name, "the gzip files unpack to more than the server reads in one ingest: split the export")
	}
	return n, err
}

// bomSkipper drops a UTF-8 byte-order mark at the very start.
type bomSkipper struct {
	r       io.Reader
	started bool
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if b.started {
		return b.r.Read(p)
	}
	b.started = true
	var head [3]byte
	n, err := io.ReadFull(b.r, head[:])
	if n == 3 && bytes.Equal(head[:], []byte("\ufeff")) {
		return b.r.Read(p)
	}
	// Not a BOM: hand back what was read, then the rest.
	b.r = io.MultiReader(bytes.NewReader(append([]byte(nil), head[:n]...)), b.r)
	if n == 0 && err != nil {
		return 0, err
	}
	return b.r.Read(p)
}

// rowParser turns one record into a line. It keeps one-entry caches of the
// last timestamps (hourly exports repeat them line after line).
type rowParser struct {
	idx   [numCols]int
	times [4]struct {
		s string
		t time.Time
	}
}

func (p *rowParser) get(rec []string, c int) string {
	i := p.idx[c]
	if i < 0 || i >= len(rec) {
		return ""
	}
	v := rec[i]
	if len(v) > 0 && (v[0] == ' ' || v[len(v)-1] == ' ' || v[0] == '\t' || v[len(v)-1] == '\t') {
		v = strings.TrimSpace(v)
	}
	if len(v) == 4 && strings.EqualFold(v, "null") {
		return ""
	}
	return v
}

// parse reads rec; s supplies the caches and the per-batch checks (nil
// parses the row alone).
func (p *rowParser) parse(rec []string, s *Source) (*paved.CostLine, error) {
	l := &paved.CostLine{}
	var err error
	account := p.get(rec, colBillingAccountID)
	if account == "" {
		return nil, fmt.Errorf("BillingAccountId is empty: every line needs its billing account")
	}
	provider := p.get(rec, colServiceProviderName)
	if provider == "" {
		provider = p.get(rec, colProviderName)
	}
	if provider == "" {
		return nil, fmt.Errorf("ServiceProviderName (or ProviderName) is empty: every line needs its provider")
	}
	if l.Currency = strings.ToUpper(p.get(rec, colBillingCurrency)); !validCurrency(l.Currency) {
		return nil, fmt.Errorf("BillingCurrency %q is not a three-letter currency code (ISO 4217, like USD or EUR)", p.get(rec, colBillingCurrency))
	}
	if l.BillingPeriodStart, err = p.time(rec, colBillingPeriodStart, 0); err != nil {
		return nil, err
	}
	if l.BillingPeriodEnd, err = p.time(rec, colBillingPeriodEnd, 1); err != nil {
		return nil, err
	}
	if l.ChargeStart, err = p.time(rec, colChargePeriodStart, 2); err != nil {
		return nil, err
	}
	if l.ChargeEnd, err = p.time(rec, colChargePeriodEnd, 3); err != nil {
		return nil, err
	}
	if l.ChargeEnd.Before(l.ChargeStart) {
		return nil, fmt.Errorf("ChargePeriodEnd %s is before ChargePeriodStart %s", l.ChargeEnd.Format(time.RFC3339), l.ChargeStart.Format(time.RFC3339))
	}
	if !l.BillingPeriodEnd.After(l.BillingPeriodStart) {
		return nil, fmt.Errorf("BillingPeriodEnd %s is not after BillingPeriodStart %s", l.BillingPeriodEnd.Format(time.RFC3339), l.BillingPeriodStart.Format(time.RFC3339))
	}
	if l.Category, err = ParseChargeCategory(p.get(rec, colChargeCategory)); err != nil {
		return nil, err
	}
	if c := p.get(rec, colChargeClass); c != "" {
		if !strings.EqualFold(c, "Correction") {
			return nil, fmt.Errorf("ChargeClass %q is not allowed: want Correction or an empty value", c)
		}
		l.Class = "Correction"
	}
	billed := p.get(rec, colBilledCost)
	if billed == "" {
		return nil, fmt.Errorf("BilledCost is empty: FOCUS requires it on every line (0 for free usage)")
	}
	if l.Billed, err = parseAmount(billed); err != nil {
		return nil, fmt.Errorf("BilledCost: %s", paved.ErrorMessage(err))
	}
	if e := p.get(rec, colEffectiveCost); e != "" {
		if l.Effective, err = parseAmount(e); err != nil {
			return nil, fmt.Errorf("EffectiveCost: %s", paved.ErrorMessage(err))
		}
		l.EffectiveSet = true
	}
	l.ServiceName = p.get(rec, colServiceName)
	l.ServiceCategory = p.get(rec, colServiceCategory)
	l.Region = p.get(rec, colRegionID)
	l.ResourceID = p.get(rec, colResourceID)
	if a := p.get(rec, colAllocatedResourceID); a != "" {
		l.ResourceID = a
	}
	l.ResourceName = p.get(rec, colResourceName)
	if len(l.ResourceID) > 2048 || len(l.ResourceName) > 2048 || len(l.ServiceName) > 512 {
		return nil, fmt.Errorf("a ResourceId, ResourceName or ServiceName is too long (over 2 KiB): is the file a FOCUS export?")
	}

	key := keyCacheKey{
		provider: provider, account: account,
		sub: p.get(rec, colSubAccountID), subName: p.get(rec, colSubAccountName),
		tags: p.get(rec, colTags), allocTags: p.get(rec, colAllocatedTags),
	}
	if s == nil {
		k, err := newKey(key, nil)
		if err != nil {
			return nil, err
		}
		l.Key = k
		return l, nil
	}
	k := s.keys[key]
	if k == nil {
		if k, err = newKey(key, s.tags); err != nil {
			return nil, err
		}
		s.opt.Allocator.Allocate(k)
		if len(s.keys) >= maxKeyCache {
			clear(s.keys)
		}
		if len(s.tags) >= maxTagCache {
			clear(s.tags)
		}
		s.keys[key] = k
		s.keyCount++
	}
	l.Key = k

	bk := batchKey{account: account, period: l.BillingPeriodStart}
	if b, ok := s.batches[bk]; !ok {
		s.batches[bk] = batchInfo{currency: l.Currency, where: fmt.Sprintf("%s:%d", s.rdName(), s.rdLine())}
	} else if b.currency != l.Currency {
		// A billing period in two currencies cannot be added up: this
		// stops the ingest even with --skip-invalid.
		return nil, &fatalError{paved.Errorf(paved.EINVALID, "billing account %s has two currencies in billing period %s: %s (first at %s) and %s; paved adds up a period in one currency: export each currency separately or convert first",
			account, paved.Period(l.BillingPeriodStart), b.currency, b.where, l.Currency)}
	}
	if _, ok := s.providers[provider]; !ok {
		s.order = append(s.order, provider)
		s.providers[provider] = false
	}
	if l.Effective != 0 {
		s.providers[provider] = true
	}
	return l, nil
}

func (s *Source) rdName() string {
	if s.rd == nil {
		return ""
	}
	return s.rd.name
}

func (s *Source) rdLine() int {
	if s.rd == nil {
		return 0
	}
	return s.rd.line
}

// fatalError stops the ingest even when invalid lines are skipped.
type fatalError struct{ err *paved.Error }

func (e *fatalError) Error() string { return e.err.Error() }

// newKey builds the key of a line: tags parsed (through cache when given)
// and AllocatedTags laid over Tags.
func newKey(k keyCacheKey, cache map[string]map[string]string) (*paved.CostKey, error) {
	tags, err := cachedTags(k.tags, "Tags", cache)
	if err != nil {
		return nil, err
	}
	if k.allocTags != "" {
		at, err := cachedTags(k.allocTags, "AllocatedTags", cache)
		if err != nil {
			return nil, err
		}
		if len(at) > 0 {
			merged := make(map[string]string, len(tags)+len(at))
			for t, v := range tags {
				merged[t] = v
			}
			for t, v := range at {
				merged[t] = v
			}
			tags = merged
		}
	}
	return &paved.CostKey{
		Provider:         k.provider,
		BillingAccountID: k.account,
		SubAccountID:     k.sub,
		SubAccountName:   k.subName,
		Tags:             tags,
	}, nil
}

func cachedTags(raw, col string, cache map[string]map[string]string) (map[string]string, error) {
	if raw == "" {
		return nil, nil
	}
	if t, ok := cache[raw]; ok {
		return t, nil
	}
	t, err := ParseTags(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", col, paved.ErrorMessage(err))
	}
	if cache != nil {
		cache[raw] = t
	}
	return t, nil
}

// Tag limits: far above what clouds allow (AWS: 50 tags, keys of 128 and
// values of 256 characters).
const (
	maxTags     = 500
	maxTagBytes = 64 << 10
)

// ParseTags reads a FOCUS Tags value: a JSON object whose values are
// strings, true (a valueless tag), numbers or null. Keys are trimmed of
// stray spaces; a null value drops the tag.
func ParseTags(raw string) (map[string]string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "{}" {
		return nil, nil
	}
	if len(raw) > maxTagBytes {
		return nil, paved.Errorf(paved.EINVALID, "tags are %d bytes long: at most %d", len(raw), maxTagBytes)
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		msg := "not a JSON object"
		if err != nil {
			msg = "not valid JSON: " + jsonMessage(err)
		}
		return nil, paved.Errorf(paved.EINVALID, "tags are %s; FOCUS tags are a JSON object such as {\"team\": \"payments\"} (with the quotes doubled inside a CSV field)", msg)
	}
	if dec.More() {
		return nil, paved.Errorf(paved.EINVALID, "tags have text after the JSON object")
	}
	if len(m) > maxTags {
		return nil, paved.Errorf(paved.EINVALID, "%d tags: at most %d", len(m), maxTags)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		key := strings.TrimSpace(k)
		if key == "" {
			continue
		}
		switch x := v.(type) {
		case nil:
			continue
		case string:
			out[key] = strings.TrimSpace(x)
		case bool:
			out[key] = strconv.FormatBool(x)
		case json.Number:
			out[key] = x.String()
		default:
			b, _ := json.Marshal(x)
			out[key] = string(b)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func jsonMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at character %d)", se.Error(), se.Offset)
	}
	return err.Error()
}

// ParseChargeCategory accepts a FOCUS ChargeCategory in any case.
func ParseChargeCategory(s string) (string, error) {
	for _, c := range paved.ChargeCategories {
		if strings.EqualFold(s, c) {
			return c, nil
		}
	}
	if s == "" {
		return "", fmt.Errorf("ChargeCategory is empty: want one of %s", strings.Join(paved.ChargeCategories, ", "))
	}
	return "", fmt.Errorf("ChargeCategory %q is not allowed: want one of %s", short(s), strings.Join(paved.ChargeCategories, ", "))
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// time reads a timestamp column through a one-entry cache.
func (p *rowParser) time(rec []string, c, slot int) (time.Time, error) {
	v := p.get(rec, c)
	if v == "" {
		return time.Time{}, fmt.Errorf("%s is empty", colNames[c])
	}
	if p.times[slot].s == v {
		return p.times[slot].t, nil
	}
	t, err := ParseTimestamp(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %s", colNames[c], err.Error())
	}
	p.times[slot].s, p.times[slot].t = v, t
	return t, nil
}

// ParseTimestamp reads the timestamps billing exports write: RFC 3339
// ("2024-10-01T00:00:00Z", with fractions or an offset), the same with a
// space instead of the T and no zone ("2024-10-01 00:00:00", read as UTC),
// an optional " UTC" suffix, and plain dates ("2024-10-01").
func ParseTimestamp(v string) (time.Time, error) {
	s := strings.TrimSpace(v)
	s = strings.TrimSuffix(strings.TrimSuffix(s, " UTC"), " utc")
	if t, ok := fastTime(s); ok {
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp: want ISO 8601 in UTC, like 2024-10-01T00:00:00Z or 2024-10-01 00:00:00", short(v))
}

// fastTime reads "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD HH:MM:SS"
// with an optional "Z" or ".000Z", in UTC, without allocating.
func fastTime(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	var h, mi, se int
	if len(s) > 10 {
		rest := s[10:]
		if len(rest) < 9 || (rest[0] != 'T' && rest[0] != ' ') || rest[3] != ':' || rest[6] != ':' {
			return time.Time{}, false
		}
		var ok4, ok5, ok6 bool
		h, ok4 = digits(rest[1:3])
		mi, ok5 = digits(rest[4:6])
		se, ok6 = digits(rest[7:9])
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || se > 59 {
			return time.Time{}, false
		}
		switch tail := rest[9:]; tail {
		case "", "Z", ".000Z", ".0Z", ".000", "+00:00", ".000+00:00":
		default:
			return time.Time{}, false
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d { // 2024-02-30
		return time.Time{}, false
	}
	return t, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseAmount reads a cost: plain decimals without allocating, anything
// else (exponents, more than nine decimals, rounded to the nano) through
// ParseMoneyRound.
func parseAmount(s string) (paved.Money, error) {
	if m, ok := fastAmount(s); ok {
		return m, nil
	}
	m, _, err := ParseMoneyRound(s)
	if err != nil {
		return 0, err
	}
	return paved.Money(m), nil
}

// fastAmount reads [-+]digits[.digits] with at most nine digits on either
// side of the point.
func fastAmount(s string) (paved.Money, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var ip, fp int64
	nInt, nFrac := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		ip = ip*10 + int64(s[i]-'0')
		nInt++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if nFrac == 9 {
				return 0, false
			}
			fp = fp*10 + int64(s[i]-'0')
			nFrac++
		}
	}
	if i != len(s) || nInt > 9 || nInt+nFrac == 0 {
		return 0, false
	}
	for ; nFrac < 9; nFrac++ {
		fp *= 10
	}
	v := ip*int64(Unit) + fp
	if neg {
		v = -v
	}
	return paved.Money(v), true
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
