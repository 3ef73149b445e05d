/* The server-side CRM template a 3CX admin uploads (3CX Admin Console ›
 * Settings › CRM › Server side), built for one integration
 * (providers-2.md §6.1; the format: https://www.3cx.com/docs/server-side-
 * crm-template-xml-description/ [official docs]; element and attribute
 * names as in a complete real template, modestcrab/3CX-Pipedrive-
 * Integration pipedrive.xml [third-party code]).
 *
 * Two scenarios, both JSON POSTs to the integration's callback URL (a
 * template parameter, filled in, with ?key=<the URL key>):
 *   - the default scenario (no Id), the contact lookup by [Number]: our
 *     answer's contact.* become 3CX's contact (Rule "Any" on contact.id:
 *     {"contact":null} is no match);
 *   - ReportCall, call journaling when a call ends, with the journaling
 *     variables of §6.1; dates through a second pass
 *     ([[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")], Passes="2").
 * A "JournalingEnabled" parameter lets the admin switch journaling off
 * (SkipIf), as 3CX's own templates do.
 *
 * Every value goes through xmlTextWriter, so an integration name or a
 * key holding '<', '&' or '"' cannot break the XML. Unverified as a whole
 * against a live 3CX (§6.1): docs/providers.md says what to check. */
#include "config.h"

#include <string.h>

#include <libxml/xmlwriter.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/threecx/threecx.h"

#define TX_DATE(v) "[[" v "].ToString(\"yyyy-MM-ddTHH:mm:ssZ\")]"

/* One <Value Key=... Passes=... Type="String">text</Value>. */
static int
tx_value(xmlTextWriterPtr w, const char *key, const char *passes,
    const char *text)
{
	return xmlTextWriterStartElement(w, BAD_CAST "Value") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Key", BAD_CAST key) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Passes",
	    BAD_CAST passes) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Type",
	    BAD_CAST "String") < 0 ||
	    xmlTextWriterWriteString(w, BAD_CAST text) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* <Name a1="v1" ... /> from NULL-terminated name/value pairs. */
static int
tx_empty(xmlTextWriterPtr w, const char *name, const char *const *av)
{
	if (xmlTextWriterStartElement(w, BAD_CAST name) < 0)
		return -1;
	for (; av[0] != NULL; av += 2)
		if (xmlTextWriterWriteAttribute(w, BAD_CAST av[0],
		    BAD_CAST av[1]) < 0)
			return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int
tx_request(xmlTextWriterPtr w, const char *skip_if)
{
	const char *const attrs[] = {
		"Url", "[CallbackUrl]", "MessagePasses", "0",
		"RequestEncoding", "Json", "RequestType", "Post",
		"ResponseType", "Json", NULL
	};
	const char *const *av;

	if (xmlTextWriterStartElement(w, BAD_CAST "Request") < 0)
		return -1;
	if (skip_if != NULL && xmlTextWriterWriteAttribute(w,
	    BAD_CAST "SkipIf", BAD_CAST skip_if) < 0)
		return -1;
	for (av = attrs; av[0] != NULL; av += 2)
		if (xmlTextWriterWriteAttribute(w, BAD_CAST av[0],
		    BAD_CAST av[1]) < 0)
			return -1;
	return xmlTextWriterStartElement(w, BAD_CAST "PostValues");
}

static int
tx_variable(xmlTextWriterPtr w, const char *name, const char *path)
{
	return xmlTextWriterStartElement(w, BAD_CAST "Variable") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Name",
	    BAD_CAST name) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Path",
	    BAD_CAST path) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Filter") < 0 ||
	    xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0 ?
	    -1 : 0;
}

static int
tx_output(xmlTextWriterPtr w, const char *type, const char *value)
{
	const char *const av[] = { "Type", type, "Passes", "0", "Value", value,
	    NULL };

	return tx_empty(w, "Output", av);
}

static int
tx_parameter(xmlTextWriterPtr w, const char *name, const char *type,
    const char *title, const char *dflt)
{
	const char *const av[] = { "Name", name, "Type", type, "Parent",
	    "Callboard", "Editor", "String", "Title", title, "Default", dflt,
	    NULL };

	return tx_empty(w, "Parameter", av);
}

static int
tx_write(xmlTextWriterPtr w, const char *url, const char *name)
{
	static const char *const number[] = { "Prefix", "AsIs", "MaxLength",
	    "", NULL };
	static const char *const conn[] = { "MaxConcurrentRequests", "4",
	    NULL };
	static const char *const auth[] = { "Type", "No", NULL };
	static const char *const journal[][3] = {
		{ "call_type", "0", "[CallType]" },
		{ "number", "0", "[Number]" },
		{ "agent", "0", "[Agent]" },
		{ "agent_email", "0", "[AgentEmail]" },
		{ "queue", "0", "[QueueExtension]" },
		{ "duration", "0", "[Duration]" },
		{ "start_utc", "2", TX_DATE("CallStartTimeUTC") },
		{ "answer_utc", "2", TX_DATE("CallEstablishedTimeUTC") },
		{ "end_utc", "2", TX_DATE("CallEndTimeUTC") },
		{ "entity_id", "0", "[EntityId]" },
		{ "recording_url", "0", "[RecordingUrl]" },
	};
	size_t i;

	if (xmlTextWriterStartDocument(w, "1.0", "utf-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Crm") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Country",
	    BAD_CAST "UA") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Name",
	    BAD_CAST name) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Version",
	    BAD_CAST "1") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "SupportsEmojis",
	    BAD_CAST "false") < 0 ||
	    tx_empty(w, "Number", number) < 0 ||
	    tx_empty(w, "Connection", conn) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Parameters") < 0 ||
	    tx_parameter(w, "CallbackUrl", "String", "Callboard callback URL "
	    "(with its key):", url) < 0 ||
	    tx_parameter(w, "JournalingEnabled", "Boolean", "Journal calls in "
	    "Callboard", "True") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    tx_empty(w, "Authentication", auth) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Scenarios") < 0)
		return -1;

	/* The contact lookup (the default scenario). */
	if (xmlTextWriterStartElement(w, BAD_CAST "Scenario") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Type",
	    BAD_CAST "REST") < 0 ||
	    tx_request(w, NULL) < 0 ||
	    tx_value(w, "event", "0", "lookup") < 0 ||
	    tx_value(w, "number", "0", "[Number]") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||          /* PostValues */
	    xmlTextWriterEndElement(w) < 0 ||          /* Request */
	    xmlTextWriterStartElement(w, BAD_CAST "Rules") < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Rule") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Type",
	    BAD_CAST "Any") < 0 ||
	    xmlTextWriterWriteString(w, BAD_CAST "contact.id") < 0 ||
	    xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Variables") < 0 ||
	    tx_variable(w, "ContactId", "contact.id") < 0 ||
	    tx_variable(w, "FirstName", "contact.first_name") < 0 ||
	    tx_variable(w, "LastName", "contact.last_name") < 0 ||
	    tx_variable(w, "ContactUrl", "contact.url") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Outputs") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "AllowEmpty",
	    BAD_CAST "false") < 0 ||
	    tx_output(w, "FirstName", "[FirstName]") < 0 ||
	    tx_output(w, "LastName", "[LastName]") < 0 ||
	    tx_output(w, "EntityId", "[ContactId]") < 0 ||
	    tx_output(w, "EntityType", "Contacts") < 0 ||
	    tx_output(w, "ContactUrl", "[ContactUrl]") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||          /* Outputs */
	    xmlTextWriterEndElement(w) < 0)            /* Scenario */
		return -1;

	/* Call journaling. */
	if (xmlTextWriterStartElement(w, BAD_CAST "Scenario") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Id",
	    BAD_CAST "ReportCall") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "Type",
	    BAD_CAST "REST") < 0 ||
	    tx_request(w, "[JournalingEnabled]!=True") < 0 ||
	    tx_value(w, "event", "0", "journal") < 0)
		return -1;
	for (i = 0; i < sizeof(journal) / sizeof(journal[0]); i++)
		if (tx_value(w, journal[i][0], journal[i][1],
		    journal[i][2]) < 0)
			return -1;
	if (xmlTextWriterEndElement(w) < 0 ||          /* PostValues */
	    xmlTextWriterEndElement(w) < 0 ||          /* Request */
	    xmlTextWriterStartElement(w, BAD_CAST "Variables") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "Outputs") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "AllowEmpty",
	    BAD_CAST "false") < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterEndElement(w) < 0)            /* Scenario */
		return -1;
	return xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
}

enum cb_err
threecx_template_build(const char *hook_url, const char *key,
    const char *name, struct buf *out)
{
	xmlBufferPtr xb;
	xmlTextWriterPtr w;
	struct buf url;
	enum cb_err rc = CB_OK;

	buf_init(&url, 2048);
	buf_puts(&url, hook_url);
	buf_puts(&url, "?key=");
	url_component(&url, key, strlen(key));
	if (url.err != CB_OK) {
		buf_free(&url);
		return CB_ETOOBIG;
	}
	if ((xb = xmlBufferCreate()) == NULL) {
		buf_free(&url);
		return CB_ENOMEM;
	}
	if ((w = xmlNewTextWriterMemory(xb, 0)) == NULL) {
		xmlBufferFree(xb);
		buf_free(&url);
		return CB_ENOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	if (tx_write(w, buf_cstr(&url), name) < 0)
		rc = CB_ENOMEM;
	xmlFreeTextWriter(w);       /* flushes into xb */
	if (rc == CB_OK)
		rc = buf_append(out, (const char *)xmlBufferContent(xb),
		    (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	buf_free(&url);
	return rc;
}

static enum cb_err
tx_panel_build(const struct prov_conf *c, const char *name, struct buf *out,
    const char **why)
{
	const char *key = prov_secret(c, "key");

	if (key == NULL || *key == '\0') {
		*why = "The integration has no URL key: set it and save first.";
		return CB_EINVAL;
	}
	return threecx_template_build(c->hook_url, key, name && *name ? name :
	    "Callboard", out);
}

const struct prov_panel_file threecx_template = {
	.label = "Download the 3CX CRM template",
	.filename = "callboard-3cx.xml",
	.content_type = "application/xml",
	.build = tx_panel_build,
};
