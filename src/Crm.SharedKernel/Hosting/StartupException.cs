namespace Crm.SharedKernel.Hosting;

/// <summary>The application cannot start as configured; the message says what to fix.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
