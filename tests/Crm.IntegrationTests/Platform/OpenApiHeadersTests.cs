using System.Text.Json.Nodes;
using Crm.IntegrationTests;

namespace Crm.IntegrationTests.Platform;

/// <summary>
/// The OpenAPI document declares the headers the API uses, so that generated clients can send If-Match and
/// Idempotency-Key and read ETag and Location: the definitions are shared components, referenced per operation.
/// </summary>
internal sealed class OpenApiHeadersTests
{
    private JsonNode _document = null!;

    [OneTimeSetUp]
    public async Task LoadDocumentAsync()
    {
        using var client = IntegrationTestRun.Factory.CreateClient();
        _document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
    }

    [Test]
    public void A_single_resource_read_declares_its_ETag()
    {
        var get = Operation("/api/v1/customers/{id}", "get");

        Assert.That(HeaderRef(get, "200", "ETag"), Is.EqualTo("#/components/headers/ETag"));
        Assert.That(ParameterRefs(get), Is.Empty);
    }

    [Test]
    public void A_conditional_update_declares_If_Match_with_its_412_and_the_new_ETag()
    {
        var patch = Operation("/api/v1/customers/{id}", "patch");

        Assert.Multiple(() =>
        {
            Assert.That(ParameterRefs(patch), Is.EqualTo(new[] { "#/components/parameters/IfMatch" }));
            Assert.That(ProblemContent(patch, "412"), Is.Not.Null);
            Assert.That(HeaderRef(patch, "200", "ETag"), Is.EqualTo("#/components/headers/ETag"));
        });

        var ifMatch = _document["components"]!["parameters"]!["IfMatch"]!;
        Assert.Multiple(() =>
        {
            Assert.That(ifMatch["name"]!.GetValue<string>(), Is.EqualTo("If-Match"));
            Assert.That(ifMatch["in"]!.GetValue<string>(), Is.EqualTo("header"));
            Assert.That(ifMatch["required"]?.GetValue<bool>() ?? false, Is.False);
        });
    }

    [Test]
    public void A_create_declares_Idempotency_Key_with_its_409_and_422_and_Location_and_ETag_on_the_201()
    {
        var post = Operation("/api/v1/customers", "post");

        Assert.Multiple(() =>
        {
            Assert.That(ParameterRefs(post), Is.EqualTo(new[] { "#/components/parameters/IdempotencyKey" }));
            Assert.That(HeaderRef(post, "201", "Location"), Is.EqualTo("#/components/headers/Location"));
            Assert.That(HeaderRef(post, "201", "ETag"), Is.EqualTo("#/components/headers/ETag"));
            Assert.That(HeaderRef(post, "201", "Idempotent-Replayed"), Is.EqualTo("#/components/headers/IdempotentReplayed"));
            Assert.That(ProblemContent(post, "409"), Is.Not.Null);
            Assert.That(ProblemContent(post, "422"), Is.Not.Null);
        });

        var key = _document["components"]!["parameters"]!["IdempotencyKey"]!;
        Assert.Multiple(() =>
        {
            Assert.That(key["name"]!.GetValue<string>(), Is.EqualTo("Idempotency-Key"));
            Assert.That(key["in"]!.GetValue<string>(), Is.EqualTo("header"));
            Assert.That(key["schema"]!["maxLength"]!.GetValue<int>(), Is.EqualTo(200));
        });
    }

    [Test]
    public void Cancelling_a_shipment_requires_If_Match_with_its_428()
    {
        var cancel = Operation("/api/v1/sales/orders/{id}/shipments/{shipmentId}/cancel", "post");

        Assert.Multiple(() =>
        {
            Assert.That(ParameterRefs(cancel), Does.Contain("#/components/parameters/IfMatchRequired").And.Not.Contain("#/components/parameters/IfMatch"));
            Assert.That(ProblemContent(cancel, "412"), Is.Not.Null);
            Assert.That(ProblemContent(cancel, "428"), Is.Not.Null);
            Assert.That(_document["components"]!["parameters"]!["IfMatchRequired"]!["required"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void A_cacheable_read_declares_If_None_Match_with_its_304()
    {
        var regions = Operation("/api/v1/regions", "get");

        Assert.Multiple(() =>
        {
            Assert.That(ParameterRefs(regions), Is.EqualTo(new[] { "#/components/parameters/IfNoneMatch" }));
            Assert.That(HeaderRef(regions, "304", "ETag"), Is.EqualTo("#/components/headers/ETag"));
            Assert.That(HeaderRef(regions, "200", "ETag"), Is.EqualTo("#/components/headers/ETag"));
            Assert.That(_document["components"]!["parameters"]!["IfNoneMatch"]!["name"]!.GetValue<string>(), Is.EqualTo("If-None-Match"));
        });
    }

    [Test]
    public void The_ERP_upsert_declares_If_None_Match_star_as_create_only_beside_If_Match()
    {
        var upsert = Operation("/api/v1/customers/by-external-id/{externalId}", "put");
        var createOnly = _document["components"]!["parameters"]!["IfNoneMatchCreateOnly"]!;

        Assert.Multiple(() =>
        {
            Assert.That(ParameterRefs(upsert), Is.EqualTo(new[] { "#/components/parameters/IfMatch", "#/components/parameters/IfNoneMatchCreateOnly" }));
            Assert.That(ProblemContent(upsert, "412"), Is.Not.Null);
            Assert.That(createOnly["name"]!.GetValue<string>(), Is.EqualTo("If-None-Match"));
            Assert.That(createOnly["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()), Is.EqualTo(new[] { "*" }));
        });
    }

    [Test]
    public void An_import_declares_Prefer_and_the_Location_of_its_202()
    {
        var import = Operation("/api/v1/imports/{entity}", "post");

        Assert.Multiple(() =>
        {
            Assert.That(ParameterRefs(import), Does.Contain("#/components/parameters/Prefer").And.Contain("#/components/parameters/IdempotencyKey"));
            Assert.That(HeaderRef(import, "202", "Location"), Is.EqualTo("#/components/headers/Location"));
            Assert.That(HeaderRef(import, "202", "Preference-Applied"), Is.EqualTo("#/components/headers/PreferenceApplied"));
            Assert.That(HeaderRef(import, "200", "ETag"), Is.Null);
        });
    }

    [Test]
    public void Every_operation_that_can_answer_412_declares_a_precondition_and_every_POST_and_only_POSTs_Idempotency_Key()
    {
        var wrong = new List<string>();
        foreach (var (path, item) in _document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var parameters = ParameterRefs(operation!);
                var declaresPrecondition = parameters.Any(p => p.StartsWith("#/components/parameters/IfMatch", StringComparison.Ordinal))
                    || parameters.Contains("#/components/parameters/IfNoneMatchCreateOnly");
                if (operation!["responses"]!.AsObject().ContainsKey("412") != declaresPrecondition)
                {
                    wrong.Add($"{method} {path}: 412 and the preconditions (If-Match, If-None-Match: *) disagree");
                }

                if ((method == "post") != parameters.Contains("#/components/parameters/IdempotencyKey"))
                {
                    wrong.Add($"{method} {path}: Idempotency-Key is for exactly the POSTs");
                }
            }
        }

        Assert.That(wrong, Is.Empty);
    }

    private JsonNode Operation(string path, string method) => _document["paths"]![path]![method]!;

    private static List<string> ParameterRefs(JsonNode operation) =>
        operation["parameters"] is JsonArray parameters ? parameters.Select(p => p!["$ref"]?.GetValue<string>()).OfType<string>().ToList() : [];

    private static string? HeaderRef(JsonNode operation, string status, string header) =>
        operation["responses"]![status]?["headers"]?[header]?["$ref"]?.GetValue<string>();

    private static JsonNode? ProblemContent(JsonNode operation, string status) =>
        operation["responses"]![status]?["content"]?["application/problem+json"];
}
