using Crm.Api.Hosting;
using Crm.Modules.Customers;
using Crm.Modules.Identity;
using Crm.Modules.Integration;
using Crm.Modules.Sales;
using Crm.SharedKernel.Data;

// `dotnet run --project src/Crm.Api -- migrate` applies every module's migrations and exits (for production deploys).
var migrateOnly = args is ["migrate", ..];
var builder = WebApplication.CreateBuilder(migrateOnly ? args[1..] : args);

builder.AddCrmApi();

// Modules: one AddXModule(...) call each, in dependency order.
builder.Services.AddIdentityModule(builder.Configuration);
builder.Services.AddCustomersModule(builder.Configuration);
builder.Services.AddIntegrationModule(builder.Configuration);
builder.Services.AddSalesModule(builder.Configuration);

var app = builder.Build();

if (migrateOnly)
{
    await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
    return 0;
}

app.UseCrmApi();
app.MapCrmEndpoints();
await app.PrepareDatabaseAsync();
await app.RunAsync();
return 0;

/// <summary>The API host; public so integration tests can start it with WebApplicationFactory.</summary>
public partial class Program;
