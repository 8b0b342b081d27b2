package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	paved "github.com/paved-dev/paved"
)

// AbsoluteLink turns a notification's portal path into an absolute URL
// under publicURL (server.public_url). A link that is already absolute,
// or any link when publicURL is empty, is returned as it is.
func AbsoluteLink(publicURL, link string) string {
	if link == "" || publicURL == "" || strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
		return link
	}
	if !strings.HasPrefix(link, "/") {
		link = "/" + link
	}
	return strings.TrimRight(publicURL, "/") + link
}

// JSONBody is the body of a json delivery: the notification as JSON, with
// its link made absolute.
func JSONBody(n *paved.Notification, publicURL string) ([]byte, error) {
	c := *n
	c.Link = AbsoluteLink(publicURL, n.Link)
	b, err := marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("notification %d: %w", n.ID, err)
	}
	return b, nil
}

// marshal is json.Marshal without escaping <, > and & (the bodies go to
// machines and logs, never into HTML).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// slackMessage is an incoming-webhook message: text is the fallback shown
// in notifications, blocks the message itself.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string        `json:"type"`
	Text     *slackText    `json:"text,omitempty"`
	Elements []slackObject `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackObject is a context element (mrkdwn text) or a button.
type slackObject struct {
	Type string `json:"type"`
	Text any    `json:"text,omitempty"` // string in a context, *slackText on a button
	URL  string `json:"url,omitempty"`
	ID   string `json:"action_id,omitempty"`
}

// slackEscape escapes the three characters Slack's mrkdwn treats as
// control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// SlackBody is the body of a slack delivery: the subject as text, and
// blocks with the subject (linked to the portal), the kind, service and
// team, and an "Open in paved" button when the link is absolute.
func SlackBody(n *paved.Notification, publicURL string) ([]byte, error) {
	link := AbsoluteLink(publicURL, n.Link)
	abs := strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://")
	subject := slackEscape(n.Subject)
	head := "*" + subject + "*"
	if abs {
		head = "*<" + slackEscape(link) + "|" + subject + ">*"
	}
	facts := []string{"`" + slackEscape(n.Kind) + "`"}
	if n.Service != "" {
		facts = append(facts, "service *"+slackEscape(n.Service)+"*")
	}
	if n.Team != "" {
		facts = append(facts, "team *"+slackEscape(n.Team)+"*")
	}
	m := slackMessage{
		Text: subject,
		Blocks: []slackBlock{
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: head}},
			{Type: "context", Elements: []slackObject{{Type: "mrkdwn", Text: strings.Join(facts, " · ")}}},
		},
	}
	if abs {
		m.Blocks = append(m.Blocks, slackBlock{Type: "actions", Elements: []slackObject{{
			Type: "button", Text: &slackText{Type: "plain_text", Text: "Open in paved"}, URL: link, ID: "open",
		}}})
	}
	b, err := marshal(&m)
	if err != nil {
		return nil, fmt.Errorf("notification %d: %w", n.ID, err)
	}
	return b, nil
}

// CheckPublicURL accepts "" or an absolute http(s) URL without query,
// fragment or credentials, the base of the portal's links.
func CheckPublicURL(s string) error {
	if s == "" {
		return nil
	}
	if err := CheckURL(s); err != nil {
		return err
	}
	if u, _ := url.Parse(s); u.RawQuery != "" || u.ForceQuery {
		return paved.Errorf(paved.EINVALID, "the URL has a ?query: give the portal's base URL, e.g. https://paved.example.com")
	}
	return nil
}
