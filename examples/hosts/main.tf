# Two render pools: one scales on pending tasks, one on the working day.

variable "max_nodes" {
  type    = number
  default = 20
}

variable "office_nodes" {
  type = number
}

resource "azurerm_batch_pool" "render" {
  name                = "render"
  resource_group_name = "rg-render"
  account_name        = "renderbatch"
  vm_size             = "Standard_D4s_v5"
  node_agent_sku_id   = "batch.node.ubuntu 22.04"

  auto_scale {
    evaluation_interval = "PT5M"
    formula             = <<-EOF
      $samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);
      $tasks = $samples < 70 ? max(0, $PendingTasks.GetSample(1)) : avg($PendingTasks.GetSample(TimeInterval_Minute * 15));
      $TargetDedicatedNodes = Min(${var.max_nodes}, $tasks);
      $NodeDeallocationOption = taskcompletion;
    EOF
  }
}

resource "azurerm_batch_pool" "office_hours" {
  name                = "office-hours"
  resource_group_name = "rg-render"
  account_name        = "renderbatch"
  vm_size             = "Standard_D2s_v5"
  node_agent_sku_id   = "batch.node.ubuntu 22.04"

  auto_scale {
    evaluation_interval = "PT1M"
    formula             = "$TargetDedicatedNodes = time().hour >= 8 ? ${var.office_nodes} : 0;"
  }
}
