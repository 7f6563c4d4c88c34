// Every form a credential takes in an address or a message, hidden; everything else left as it was.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redact, sameRegistryAddress } from "./redact.js";

describe("redact", () => {
  it.each([
    ["postgres://ci:s3cret@db/x?objects=oci://h/n", "postgres://ci:***@db/x?objects=oci://h/n"],
    ["postgres://writer@host/db?password=hunter2&sslmode=require&sslpassword=abc", "postgres://writer@host/db?password=***&sslmode=require&sslpassword=***"],
    ["oci://bob:pw@reg.example.com/ns", "oci://bob:***@reg.example.com/ns"],
    ["https://ghp_abcdef123@github.com/acme/x", "https://***@github.com/acme/x"],
    ["https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sig=abc%2Bdef%3D", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sig=***"],
    ["https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIA&X-Amz-Signature=ff00", "https://bucket.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***"],
    ["https://host/cb#access_token=tok123&state=1", "https://host/cb#access_token=***&state=1"],
    ["https://host/x?token=t1&api_key=k1", "https://host/x?token=***&api_key=***"],
    ["host=db port=5432 password='a b\\'c' user=x", "host=db port=5432 password=*** user=x"],
    ["DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9v==;EndpointSuffix=core", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=core"],
    ["could not use db.example:5432:assets:writer:p\\:ss here", "could not use db.example:5432:assets:writer:*** here"],
    ["PGPASSWORD=xyz ASSETCTL_OCI_PASSWORD=abc", "PGPASSWORD=*** ASSETCTL_OCI_PASSWORD=***"],
    ['{"password": "zz", "url": "x"}', '{"password": "***", "url": "x"}'],
    ["Authorization: Bearer abcdefghijk", "Authorization: Bearer ***"],
    ["https://a:b@c@host/x", "https://a:***@host/x"],
  ])("%s", (input, expected) => {
    expect(redact(input)).toBe(expected);
    // Redacting twice changes nothing more.
    expect(redact(expected)).toBe(expected);
  });

  it.each([
    "postgres://writer@db.example.com:5432/assets?schema=ml&objects=oci://reg/ns",
    "/srv/registry",
    "12:30:45 a clock, fe80::1 and 2001:db8:0:0:1:0:0:1 addresses",
    "model:credit:3 and model:credit@latest",
    "designation=x nosig=1 mytokens",
    "",
  ])("leaves %j as it is", (text) => {
    expect(redact(text)).toBe(text);
  });

  it("hides several secrets on one line, in any order", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/);
    fc.assert(
      fc.property(fc.array(secret, { minLength: 5, maxLength: 5 }), fc.array(fc.nat(4), { minLength: 5, maxLength: 5 }), (secrets, order) => {
        const [a = "", b = "", c = "", d = "", e = ""] = secrets;
        const forms = [`postgres://u:${a}@h/db?sslpassword=${b}`, `https://x/y?sv=1&sig=${c}`, `h:5432:db:user:${d}`, `PGPASSWORD=${e}`, `token=${a}`];
        const line = order.map((i) => forms[i]).join(" ") + " " + forms.join(", ");
        const shown = redact(line);
        for (const s of secrets) expect(shown).not.toContain(s);
      }),
      { numRuns: 200 },
    );
  });
});

describe("sameRegistryAddress", () => {
  it("ignores who connects, not where", () => {
    expect(sameRegistryAddress("postgres://reader:a@db/x?schema=s&password=q", "postgres://writer@db/x?schema=s")).toBe(true);
    expect(sameRegistryAddress("postgres://reader@db/x?schema=s", "postgres://writer@db/y?schema=s")).toBe(false);
    expect(sameRegistryAddress("/srv/registry", "/srv/registry")).toBe(true);
    expect(sameRegistryAddress("/srv/registry", "/srv/other")).toBe(false);
    expect(sameRegistryAddress("file:///srv/registry", "/srv/registry")).toBe(true);
  });
});
