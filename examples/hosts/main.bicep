param accountName string
param maxNodes int = 8

resource account 'Microsoft.Batch/batchAccounts@2024-07-01' existing = {
  name: accountName
}

// Scales on queued work; `${maxNodes}` is filled in by Bicep in a '…' string.
resource queue 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {
  parent: account
  name: 'queue'
  properties: {
    vmSize: 'STANDARD_D2S_V5'
    scaleSettings: {
      autoScale: {
        evaluationInterval: 'PT10M'
        formula: '$TargetDedicatedNodes = min(${maxNodes}, $PendingTasks.GetSample(1));'
      }
    }
  }
}

// A '''…''' string is verbatim: Bicep does not fill in `${maxNodes}` here.
resource nightly 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {
  parent: account
  name: 'nightly'
  properties: {
    vmSize: 'STANDARD_D2S_V5'
    scaleSettings: {
      autoScale: {
        evaluationInterval: 'PT30M'
        formula: '''
$hour = time().hour;
$TargetDedicatedNodes = ($hour >= 1 && $hour < 5) ? ${maxNodes} : 0;
'''
      }
    }
  }
}
