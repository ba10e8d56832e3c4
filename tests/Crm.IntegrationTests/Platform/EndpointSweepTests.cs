using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;

namespace Crm.IntegrationTests.Platform;

/// <summary>
/// "Bad input gets a clear problem and no request produces a 500", checked over every operation of the served OpenAPI
/// document rather than endpoint by endpoint: each is called by an administrator with malformed JSON, a JSON array,
/// every body property of the wrong type, every body property at an extreme (a 10,000-character string, 1e30, the
/// year 9999, an empty id), and every query parameter unparseable or extreme. Only the absence of a 5xx is asserted
/// here; what each endpoint answers is pinned by its own tests.
/// </summary>
internal sealed class EndpointSweepTests : IntegrationTest
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    [Test]
    public async Task No_operation_answers_a_5xx_to_malformed_wrongly_typed_or_extreme_input()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "扫描公司", TeamKind.Company);
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin, company);

        // The product's operations only (the suite's sample module holds deliberately broken endpoints), and no throttling
        // of the administrator's burst of calls.
        await using var factory = new CrmApiFactory(
            IntegrationTestRun.ConnectionString, withSampleModule: false, new Dictionary<string, string?> { ["RateLimiting:Users:PermitLimit"] = "1000000" });
        using var client = factory.ClientFor(admin);
        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        // Sign-out and password changes would end the administrator's session mid-sweep: they go last.
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => Methods.Where(m => path.Value![m] is not null).Select(m => (Path: path.Key, Method: m, Operation: path.Value![m]!)))
            .OrderBy(o => o.Path.Contains("/auth/", StringComparison.Ordinal) || o.Path.EndsWith("/me/password", StringComparison.Ordinal))
            .ToList();

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var calls = 0;
        foreach (var (path, method, operation) in operations)
        {
            foreach (var request in Requests(document, path, method, operation))
            {
                calls++;
                using var response = await client.SendAsync(request.Message);
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{method.ToUpperInvariant()} {request.Message.RequestUri} ({request.Variant}): {(int)response.StatusCode} {Truncate(await response.Content.ReadAsStringAsync())}");
                }

                request.Message.Dispose();
            }
        }

        await TestContext.Out.WriteLineAsync($"{operations.Count} operations, {calls} calls: " + string.Join(", ", statuses.Select(s => $"{s.Key} × {s.Value}")));
        Assert.Multiple(() =>
        {
            Assert.That(operations, Has.Count.GreaterThan(200), "every operation of the document was swept");
            Assert.That(calls, Is.GreaterThan(operations.Count * 2));
            Assert.That(failures, Is.Empty, string.Join('\n', failures));
        });
    }

    private sealed record SweepRequest(string Variant, HttpRequestMessage Message);

    private static IEnumerable<SweepRequest> Requests(JsonNode document, string template, string method, JsonNode operation)
    {
        var parameters = (operation["parameters"]?.AsArray() ?? []).Select(p => Resolve(document, p!)).ToList();
        var path = parameters.Where(p => (string?)p["in"] == "path")
            .Aggregate(template, (text, p) => text.Replace($"{{{p["name"]}}}", PathValue((string)p["name"]!, p["schema"]), StringComparison.Ordinal));
        var query = parameters.Where(p => (string?)p["in"] == "query").ToList();
        var httpMethod = new HttpMethod(method.ToUpperInvariant());

        yield return new("no body, query as given", new HttpRequestMessage(httpMethod, path));
        if (query.Count > 0)
        {
            yield return new("query unparseable", new HttpRequestMessage(httpMethod, path + "?" + string.Join('&', query.Select(p => $"{p["name"]}=%C3%28zz%25"))));
            yield return new("query extreme", new HttpRequestMessage(httpMethod, path + "?" + string.Join('&', query.Select(p => $"{p["name"]}={Uri.EscapeDataString(Extreme(document, p["schema"]).ToJsonString().Trim('"'))}"))));
        }

        if (operation["requestBody"]?["content"]?.AsObject() is not { } content)
        {
            yield break;
        }

        var (mediaType, body) = content.First();
        if (!mediaType.Contains("json", StringComparison.Ordinal))
        {
            yield return new("garbage body", Send(httpMethod, path, mediaType, "\u0000\uFFFD,\"\n\"\"x"));
            yield break;
        }

        yield return new("malformed JSON", Send(httpMethod, path, mediaType, "{\"a\": "));
        yield return new("JSON array", Send(httpMethod, path, mediaType, "[1, 2]"));
        var properties = Resolve(document, body!["schema"] ?? new JsonObject())["properties"]?.AsObject();
        if (properties is null)
        {
            yield break;
        }

        var wrong = new JsonObject();
        var extreme = new JsonObject();
        var plausible = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            wrong[name] = WrongType(document, schema);
            extreme[name] = Extreme(document, schema);
            plausible[name] = Plausible(document, schema);
        }

        yield return new("every property of the wrong type", Send(httpMethod, path, mediaType, wrong.ToJsonString()));
        yield return new("every property extreme", Send(httpMethod, path, mediaType, extreme.ToJsonString()));
        yield return new("every property plausible", Send(httpMethod, path, mediaType, plausible.ToJsonString()));

        // One extreme value in an otherwise plausible body gets past validation that stops at the first bad field.
        foreach (var (name, schema) in properties)
        {
            var one = plausible.DeepClone().AsObject();
            one[name] = Extreme(document, schema);
            yield return new($"{name} extreme, the rest plausible", Send(httpMethod, path, mediaType, one.ToJsonString()));
        }
    }

    private static JsonNode? Plausible(JsonNode document, JsonNode? schema)
    {
        var resolved = schema is null ? new JsonObject() : Resolve(document, schema);
        if (resolved["enum"]?.AsArray() is [{ } first, ..])
        {
            return first.DeepClone();
        }

        return TypeOf(document, schema) switch
        {
            "string" => (string?)resolved["format"] switch
            {
                "uuid" => null,
                "date" => "2026-12-01",
                "date-time" => "2026-12-01T08:00:00+08:00",
                "email" => "sweep@example.com",
                _ => "扫描",
            },
            "integer" or "number" => 1,
            "boolean" => false,
            "array" => new JsonArray(),
            "object" => new JsonObject(),
            _ => null,
        };
    }

    private static HttpRequestMessage Send(HttpMethod method, string path, string mediaType, string body) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    private static string PathValue(string name, JsonNode? schema) =>
        (string?)schema?["format"] == "uuid" ? Guid.NewGuid().ToString() : name switch
        {
            "entity" => "customers",
            "period" => "2026-11",
            "date" => "2026-11-30",
            "currency" => "USD",
            _ => "x",
        };

    private static JsonNode Resolve(JsonNode document, JsonNode node)
    {
        while (node["$ref"] is { } reference)
        {
            node = ((string)reference!)[2..].Split('/').Aggregate(document, (at, segment) => at[segment]!);
        }

        if (node["allOf"]?.AsArray() is [{ } single])
        {
            return Resolve(document, single);
        }

        return node["oneOf"]?.AsArray() is [.., { } last] ? Resolve(document, last) : node;
    }

    private static string? TypeOf(JsonNode document, JsonNode? schema)
    {
        if (schema is null)
        {
            return null;
        }

        var resolved = Resolve(document, schema);
        return resolved["type"] switch
        {
            JsonArray types => types.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
            { } type => (string?)type,
            _ => resolved["properties"] is not null ? "object" : resolved["enum"] is not null ? "string" : null,
        };
    }

    private static JsonNode WrongType(JsonNode document, JsonNode? schema) => TypeOf(document, schema) switch
    {
        "string" => 12345,
        "integer" or "number" => "abc",
        "boolean" => "maybe",
        "array" => "x",
        _ => JsonValue.Create(7),
    };

    private static JsonNode Extreme(JsonNode document, JsonNode? schema)
    {
        var resolved = schema is null ? new JsonObject() : Resolve(document, schema);
        return TypeOf(document, schema) switch
        {
            "string" => (string?)resolved["format"] switch
            {
                "uuid" => Guid.Empty.ToString(),
                "date" => "9999-12-31",
                "date-time" => "9999-12-31T23:59:59.9999999+00:00",
                _ => new string('汉', 10_000),
            },
            "integer" => long.MaxValue,
            "number" => 1e30,
            "boolean" => true,
            "array" => new JsonArray(Enumerable.Range(0, 50).Select(_ => Extreme(document, resolved["items"])).ToArray()),
            "object" => new JsonObject { ["汉"] = new string('x', 10_000) },
            _ => JsonValue.Create(-1),
        };
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
