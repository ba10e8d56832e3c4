using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Platform;

/// <summary>
/// openapi/crm.v1.json is the contract clients generate code from: it must be exactly what the API serves.
/// Regenerate it with eng/update-openapi.sh.
/// </summary>
internal sealed class OpenApiContractTests
{
    [Test]
    public async Task The_committed_openapi_document_matches_the_served_one()
    {
        await using var factory = new CrmApiFactory(IntegrationTestRun.ConnectionString, withSampleModule: false);
        using var client = factory.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var path = Path.Combine(RepositoryRoot(), "openapi", "crm.v1.json");

        if (Environment.GetEnvironmentVariable("CRM_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            Assert.Pass($"Wrote {path}");
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing. Generate it with: eng/update-openapi.sh");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.That(
            JsonNode.DeepEquals(served, committed),
            Is.True,
            "openapi/crm.v1.json differs from the document the API serves at /swagger/v1/swagger.json. " +
            "If the API change is intended, regenerate the contract with: eng/update-openapi.sh (then review and commit the diff).");
    }

    [Test]
    public async Task Module_endpoints_are_documented_under_api_v1()
    {
        using var client = IntegrationTestRun.Factory.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();

        Assert.That(paths, Does.Contain("/api/v1/notes").And.Contain("/api/v1/notes/{id}"));
        Assert.That(paths, Has.None.Contains("{version}"));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Crm.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Crm.sln not found above the test directory.");
    }
}
